"""The kiosk board shows what is live in its building: open orders, open votes, sessions."""
from datetime import timedelta

from mutualaid.core.database import utcnow
from mutualaid.kiosk import domain
from mutualaid.kiosk.board import board_for, today_bounds
from mutualaid.votes import domain as votes
from tests.catalogue.factories import make_service, make_session
from tests.factories import make_building, make_staff, make_unit


def test_board_lists_open_votes_of_the_building_with_turnout(db):
    building = make_building()
    staff = make_staff(building.community)
    make_unit(building)
    kiosk, _raw = domain.issue_kiosk(staff, building, "Hut")
    vote = votes.create_vote(staff, title="加装电梯", description="", rule="major",
                             building=building)
    other = make_building(building.community)
    votes.create_vote(staff, title="Other building", description="", rule="major",
                      building=other)
    board = board_for(kiosk)
    assert [v["id"] for v in board["votes"]] == [vote.id]
    assert board["votes"][0]["turnout"]["eligible"]["headcount"] == 1


def test_board_lists_todays_sessions_and_upcoming_ones(db):
    building = make_building()
    kiosk, _raw = domain.issue_kiosk(make_staff(building.community), building, "Hut")
    service = make_service(building.community)
    start, end = today_bounds()
    later_today = make_session(service, starts_in=min(end - utcnow(), timedelta(hours=24)) / 2)
    next_week = make_session(service, starts_in=timedelta(days=6))
    board = board_for(kiosk)
    upcoming = [s["id"] for s in board["upcoming"]]
    assert upcoming == [later_today.id, next_week.id]
    assert next_week.id not in [s["id"] for s in board["sessions"]]
