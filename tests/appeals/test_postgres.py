"""The lifecycle, the escalation check and the board on PostgreSQL (the scale-out database)."""
from datetime import date

import pytest

from mutualaid.appeals import checks, domain
from mutualaid.appeals.board import board
from tests.appeals.factories import T0, appeal_in, file, make_street


@pytest.mark.postgres
def test_board_and_checks_on_postgresql(postgres_app):
    from datetime import timedelta

    place = make_street()
    appeal_in("closed", place)
    appeal_in("reopened", place)
    waiting = file(place)
    assert checks.escalate_overdue(T0 + timedelta(days=1)) >= 1
    assert waiting.level == "community"
    result = board({place.community.id}, date(2026, 11, 1), date(2026, 11, 30))
    assert (result["received"], result["resolved"], result["rated"]) == (3, 1, 2)
    assert result["satisfaction_rate"] == 0.5
    assert result["median_hours_to_resolve"] == 0.05  # both first resolved after 3 minutes
    assert [e.kind for e in domain.events_of(waiting)] == ["filed", "escalated"]


@pytest.mark.postgres
def test_a_street_board_merges_its_communities_in_order_on_postgresql(postgres_app):
    from datetime import timedelta

    from mutualaid.streets import domain as streets
    from tests.factories import make_building, make_community, make_staff, make_unit, make_user

    place = make_street()
    other = make_community("Second")
    streets.add_community(place.admin, place.street, other)
    building = make_building(other, "S1", lat=23.03, lon=113.12)
    resident = make_user(verified=True, unit=make_unit(building, "101"))
    staff = make_staff(other)
    filed = []
    for minutes, who, where in ((3, place.worker, place.gridded), (1, staff, building),
                                (9, place.worker, place.gridded), (5, staff, building)):
        filer = place.appellant if where is place.gridded else resident
        appeal = file(place, building=where, actor=filer)
        filed.append(appeal.id)
        domain.accept_appeal(who, appeal, T0)
        domain.start_appeal(who, appeal, T0)
        domain.resolve_appeal(who, appeal, "Done", T0 + timedelta(minutes=minutes))
    result = board({place.community.id, other.id}, date(2026, 11, 1), date(2026, 11, 30),
                   per_page=3, rank_by="community")
    assert result["median_hours_to_resolve"] == 0.07  # (3 + 5) / 2 minutes
    assert result["appeals"]["total"] == 4 and result["appeals"]["pages"] == 2
    second = board({place.community.id, other.id}, date(2026, 11, 1), date(2026, 11, 30),
                   page=2, per_page=3, rank_by="community")
    listed = result["appeals"]["items"] + second["appeals"]["items"]
    assert [item["id"] for item in listed] == sorted(filed, reverse=True)  # all filed at T0
