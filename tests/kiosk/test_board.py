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


def test_the_kiosk_draws_the_turnout_chart_of_its_open_votes_only(app, db):
    from tests.votes.factories import make_owner

    building = make_building()
    staff = make_staff(building.community)
    owner, _unit = make_owner(building, "302", "68.90")
    make_unit(building, "601", "75.12")
    _kiosk, raw = domain.issue_kiosk(staff, building, "Hut")
    vote = votes.create_vote(staff, title="Lift", description="", rule="major",
                             building=building)
    votes.cast_ballot(owner, vote, "yes")
    poll = votes.create_vote(staff, title="Plants", description="", rule="poll",
                             building=building)
    elsewhere = votes.create_vote(staff, title="Other", description="", rule="major",
                                  building=make_building(building.community))
    closed = votes.create_vote(staff, title="Done", description="", rule="major",
                               building=building)
    votes.close_vote(staff, closed)
    db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", "en")
    answer = client.get(f"/kiosk/{raw}/votes/{vote.id}/turnout")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    # the staff page's chart: one owner of two, 68.90 of 144.02 m², against two thirds
    assert '<svg viewBox="0 0 300 120"' in html and 'class="chart-quorum"' in html
    assert "<polyline" in html and "Area 47%" in html and "Owners 50%" in html
    for path in (f"/kiosk/made-up/votes/{vote.id}/turnout", f"/kiosk/{raw}/votes/{poll.id}/turnout",
                 f"/kiosk/{raw}/votes/{elsewhere.id}/turnout",
                 f"/kiosk/{raw}/votes/{closed.id}/turnout", f"/kiosk/{raw}/votes/99999/turnout"):
        assert client.get(path).status_code == 404, path
