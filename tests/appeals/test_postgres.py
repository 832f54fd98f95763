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
