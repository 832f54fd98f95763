"""The open board against figures computed by hand from a small, known history."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from mutualaid.appeals import checks, domain, tally
from mutualaid.appeals.board import board
from mutualaid.appeals.models import Appeal, AppealBoardDay
from mutualaid.core.extensions import db
from mutualaid.streets import domain as streets
from tests.appeals.factories import T0, make_street
from tests.factories import make_building, make_community, make_staff, make_unit, make_user

HOUR = timedelta(hours=1)
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def appeal(place, building, category, hours, public=True, actor=None):
    """An appeal filed ``hours`` after T0."""
    return domain.file_appeal(actor or place.appellant, {
        "category": category, "title": f"{category} problem", "building_id": building.id,
        "public": public}, now=T0 + hours * HOUR)


def handled(who, item, resolve_after_hours, rating=None):
    """Accepted an hour after filing, started, resolved, then rated (or not)."""
    domain.accept_appeal(who, item, item.created_at + HOUR)
    domain.start_appeal(who, item, item.created_at + HOUR)
    done = item.created_at + resolve_after_hours * HOUR
    domain.resolve_appeal(who, item, "Fixed", done)
    if rating:
        domain.rate_appeal(item.appellant, item, rating, now=done + HOUR)
    return item


@pytest.fixture
def history(db):
    """Grid 1 (4 appeals), Grid 2 (3), a private one outside the grids, one in October."""
    place = make_street()
    second = make_building(place.community, "G2", lat=23.0215, lon=113.1170)
    worker2 = make_user(verified=True, unit=make_unit(second, "101"))
    grid2 = streets.create_grid(place.staff, place.community, "Grid 2", [second.id], [worker2.id])
    w1 = place.worker
    handled(w1, appeal(place, place.gridded, "environment", 0), 10, "satisfied")
    handled(w1, appeal(place, place.gridded, "environment", 1), 20, "unsatisfied")
    appeal(place, place.gridded, "noise", 2)
    unrated = handled(w1, appeal(place, place.gridded, "environment", 3), 30)
    checks.close_unrated(unrated.resolved_at + timedelta(days=7))
    handled(worker2, appeal(place, second, "parking", 4), 5, "basically_satisfied")
    handled(worker2, appeal(place, second, "parking", 5), 40, "satisfied")
    domain.reject_appeal(worker2, appeal(place, second, "noise", 6), "Private matter",
                         T0 + 7 * HOUR)
    appeal(place, place.loose, "safety", 7, public=False)
    handled(w1, appeal(place, place.gridded, "environment", -24 * 10), 1, "satisfied")
    place.grid2 = grid2
    return place


def test_community_board_matches_the_hand_computed_figures(history):
    result = board({history.community.id}, date(2026, 11, 1), date(2026, 11, 30))
    figures = {key: result[key] for key in (
        "received", "accepted_in_time", "resolved", "rated", "satisfied", "basically_satisfied",
        "unrated_closed", "acceptance_rate", "resolution_rate", "satisfaction_rate",
        "median_hours_to_resolve")}
    assert figures == {
        "received": 8, "accepted_in_time": 5, "resolved": 4, "rated": 4, "satisfied": 2,
        "basically_satisfied": 1, "unrated_closed": 1, "acceptance_rate": 0.625,
        "resolution_rate": 0.5, "satisfaction_rate": 0.75,
        # first resolutions after 5, 10, 20 (since reopened), 30 and 40 hours
        "median_hours_to_resolve": 20.0,
    }
    assert result["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert result["by_category"] == {
        "environment": {"received": 3, "resolved": 2}, "noise": {"received": 2, "resolved": 0},
        "parking": {"received": 2, "resolved": 2}, "safety": {"received": 1, "resolved": 0}}
    grid1 = {"kind": "grid", "id": history.grid.id, "name": "Grid 1", "received": 4,
             "resolution_rate": 0.5, "satisfaction_rate": 0.5}
    grid2 = {"kind": "grid", "id": history.grid2.id, "name": "Grid 2", "received": 3,
             "resolution_rate": 0.6667, "satisfaction_rate": 1.0}
    assert result["ranking"] == {"praise": [grid2, grid1], "try_harder": [grid1, grid2]}
    public = result["appeals"]
    assert public["total"] == 7
    assert {"id", "category", "title", "building_id", "status", "level", "created_at",
            "reply"} == set(public["items"][0])


def test_an_even_count_takes_the_mean_of_the_middle_two(history):
    result = board({history.community.id}, date(2026, 11, 1), date(2026, 11, 1))
    # filed on 1 November local time (T0 is 2 November 10:00): none
    assert (result["received"], result["median_hours_to_resolve"]) == (0, None)
    assert result["acceptance_rate"] is None and result["ranking"]["praise"] == []
    more = appeal(history, history.gridded, "other", 8)
    handled(history.worker, more, 15)
    result = board({history.community.id}, date(2026, 11, 1), date(2026, 11, 30))
    assert result["median_hours_to_resolve"] == 17.5  # (15 + 20) / 2


def test_street_board_ranks_its_communities(history, api):
    other = make_community("Second")
    streets.add_community(history.admin, history.street, other)
    building = make_building(other, "S1", lat=23.03, lon=113.12)
    resident = make_user(verified=True, unit=make_unit(building, "101"))
    make_staff(other)
    for hours in (1, 2, 3):
        domain.file_appeal(resident, {"category": "noise", "title": "Loud",
                                      "building_id": building.id}, now=T0 + hours * HOUR)
    response = api().get(f"/streets/{history.street.id}/appeals-board"
                         "?from=2026-11-01&to=2026-11-30&per_page=5")
    assert response.status_code == 200
    body = response.json
    assert body["received"] == 11
    assert [(r["name"], r["resolution_rate"]) for r in body["ranking"]["praise"]] == [
        (history.community.name, 0.5), ("Second", 0.0)]
    assert body["appeals"]["total"] == 10 and len(body["appeals"]["items"]) == 5
    assert "appellant" not in str(body)


def test_a_street_merges_its_communities_medians_and_pages_in_order(history):
    other = make_community("Second")
    streets.add_community(history.admin, history.street, other)
    building = make_building(other, "S1", lat=23.03, lon=113.12)
    resident = make_user(verified=True, unit=make_unit(building, "101"))
    staff = make_staff(other)
    for hours, resolve_after in ((1, 12), (2, 25), (3, 35)):  # same times as the first's
        handled(staff, appeal(history, building, "noise", hours, actor=resident), resolve_after)
    both = {history.community.id, other.id}
    result = board(both, date(2026, 11, 1), date(2026, 11, 30), rank_by="community")
    # first resolutions after 5, 10, 20, 30, 40 hours in the first, 12, 25, 35 in the second
    assert result["median_hours_to_resolve"] == 22.5  # (20 + 25) / 2
    public = db.session.execute(sa.select(Appeal.id, Appeal.created_at).where(
        Appeal.public.is_(True), Appeal.created_at >= T0)).all()
    newest_first = [row.id for row in sorted(public, key=lambda row: (row.created_at, row.id),
                                             reverse=True)]
    pages = [board(both, date(2026, 11, 1), date(2026, 11, 30), page, 4, "community")
             for page in (1, 2, 3)]
    assert [item["id"] for page in pages for item in page["appeals"]["items"]] == newest_first
    assert [page["appeals"]["total"] for page in pages] == [10, 10, 10]


def test_board_api_defaults_and_bad_periods(history, api):
    client = api()
    assert client.get(f"/communities/{history.community.id}/appeals-board").status_code == 200
    bad = client.get(f"/communities/{history.community.id}/appeals-board"
                     "?from=2026-11-30&to=2026-11-01")
    assert bad.status_code == 400
    for query in ("from=nope", "to=9999-12-31", "from=0001-01-01"):
        assert client.get(f"/communities/{history.community.id}/appeals-board?{query}"
                          ).status_code == 400
    assert client.get("/communities/999999/appeals-board").status_code == 404
    body = client.get(f"/communities/{history.community.id}/appeals-board",
                      query_string=NOVEMBER).json
    assert (body["received"], body["resolution_rate"]) == (8, 0.5)


def counters():
    """Every day counter row, as plain tuples."""
    return sorted(tuple(row) for row in db.session.execute(sa.select(AppealBoardDay.__table__)))


def test_the_day_counters_kept_step_by_step_equal_a_recount(history):
    merged = appeal(history, history.gridded, "noise", 9)
    domain.merge_appeal(history.worker, merged, appeal(history, history.loose, "noise", 9))
    kept = counters()
    assert sum(row[4] for row in kept) == 11  # received: every appeal counted once
    tally.rebuild()
    assert counters() == kept
    # the day is the local one: filed 2 November 23:30 in Shanghai, counted on 2 November
    late = appeal(history, history.loose, "other", 13.5)
    day = db.session.get(AppealBoardDay, (history.community.id, date(2026, 11, 2),
                                          tally.NO_GRID, "other"))
    assert late.created_at.date() == date(2026, 11, 2) and day.received == 1
    early = appeal(history, history.loose, "other", 14.5)  # 00:30 on 3 November there
    assert early.created_at.date() == date(2026, 11, 2)
    assert db.session.get(AppealBoardDay, (history.community.id, date(2026, 11, 3),
                                           tally.NO_GRID, "other")).received == 1
