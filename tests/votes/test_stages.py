"""Vote stages without and with HTTP: notice, voting, objection, final; objections, recount,
finalize, and the final result beginning by itself (an injected clock: ``now``)."""
from datetime import timedelta

import pytest

from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.realtime.outbox import OUTBOX
from mutualaid.votes import domain, stages
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import make_owner, make_vote

T0 = utcnow().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture
def world(db):
    """Building B: owners of 101 and 201, an ownerless 301, a tenant; staff; a project vote
    whose notice begins at T0, that opens a day later and closes a week after that."""
    building = make_building(name="B")
    staff = make_staff(building.community)
    chen, _u = make_owner(building, "101", "50.00")
    liang, unit = make_owner(building, "201", "70.00")
    make_unit(building, "301", "80.00")
    tenant = make_user(verified=True, unit=unit, relation="tenant")
    vote = make_vote(building, staff, notice_at=T0, opens_at=T0 + timedelta(days=1),
                     closes_at=T0 + timedelta(days=8), objection_days=3)
    return dict(building=building, staff=staff, chen=chen, liang=liang, tenant=tenant,
                vote=vote)


def at(days, hours=0):
    """A moment counted from T0."""
    return T0 + timedelta(days=days, hours=hours)


def test_stages_follow_the_clock(world):
    vote = world["vote"]
    assert [stages.stage_at(vote, at(d)) for d in (-1, 0, 1, 9)] == \
        ["pending", "notice", "voting", "objection"]
    assert stages.electorate_figures(vote, at(-1)) is None
    assert stages.electorate_figures(vote, at(0)) == {"headcount": 3, "area_m2": "200.00"}


def test_notice_is_announced_once_when_it_begins(world, db):
    vote = world["vote"]
    assert domain.refresh_due_votes(at(-1)) == []
    assert domain.refresh_due_votes(at(0, 1)) == [vote]
    assert db.session.info[OUTBOX][-1][0] == "vote.updated"
    assert domain.refresh_due_votes(at(0, 2)) == []


def test_final_begins_by_itself_when_the_days_are_over_and_nothing_is_open(world):
    vote = world["vote"]
    domain.refresh_vote(vote, at(8, 1))  # closed at its closing time
    assert vote.closed_at == at(8) and stages.stage_at(vote, at(8, 1)) == "objection"
    assert stages.objection_ends_at(vote) == at(11)
    domain.refresh_vote(vote, at(10))
    assert vote.final_at is None
    assert domain.refresh_due_votes(at(11, 1)) == [vote]
    assert vote.final_at == at(11) and stages.stage_at(vote, at(12)) == "final"
    assert stages.days_to_decision(vote) == 11
    (final,) = [e for e in stages.log_entries(vote) if e.kind == "final"]
    assert final.detail["ballots_count"] == 0 and len(final.detail["chain_head"]) == 64


def test_objections_only_by_eligible_owners_in_the_objection_stage(world):
    vote = world["vote"]
    with pytest.raises(Conflict) as error:
        stages.file_objection(world["chen"], vote, "Too early", now=at(2))
    assert error.value.code == "not_in_objection"
    domain.refresh_vote(vote, at(9))
    with pytest.raises(Forbidden) as error:
        stages.file_objection(world["tenant"], vote, "I live here", now=at(9))
    assert error.value.code == "not_eligible"
    objection = stages.file_objection(world["chen"], vote, "My paper ballot is missing",
                                      now=at(9))
    assert objection.author_id == world["chen"].id


def test_unanswered_objections_hold_the_final_result_until_staff_finalize(world):
    vote, staff = world["vote"], world["staff"]
    domain.refresh_vote(vote, at(9))
    objection = stages.file_objection(world["liang"], vote, "Recount please", now=at(9))
    with pytest.raises(Conflict) as error:
        stages.finalize_vote(staff, vote, now=at(10))
    assert error.value.code == "objection_days_not_over"
    domain.refresh_vote(vote, at(12))
    assert vote.final_at is None
    with pytest.raises(Conflict) as error:
        stages.finalize_vote(staff, vote, now=at(12))
    assert error.value.code == "objections_unanswered"
    stages.answer_objection(staff, objection, "Recounted: no change.", now=at(10))
    with pytest.raises(Conflict) as error:
        stages.answer_objection(staff, objection, "Again", now=at(10))
    assert error.value.code == "already_answered"
    stages.finalize_vote(staff, vote, now=at(12))
    assert vote.final_at == at(12)


def test_answering_the_last_objection_after_the_days_begins_the_final_result(world):
    vote = world["vote"]
    domain.refresh_vote(vote, at(9))
    objection = stages.file_objection(world["liang"], vote, "Why?", now=at(9))
    stages.answer_objection(world["staff"], objection, "Because.", now=at(13))
    assert vote.final_at == at(13)


def test_recount_is_logged_outside_the_chain_and_keeps_the_head(world):
    vote, staff = world["vote"], world["staff"]
    domain.cast_ballot(world["chen"], vote, "yes", now=at(2))
    domain.refresh_vote(vote, at(9))
    head = domain.audit.chain_head(vote.id)
    with pytest.raises(Forbidden):
        stages.recount_vote(world["chen"], vote, now=at(9))
    entry = stages.recount_vote(staff, vote, now=at(9))
    assert entry.detail["chain_ok"] and not entry.detail["changed"]
    assert entry.detail["result"] == vote.closed_result
    assert domain.audit.chain_head(vote.id) == head
    assert [e.kind for e in stages.log_entries(vote)] == ["recount"]


def test_polls_have_no_notice_or_objection_stage(world):
    with pytest.raises(ValidationFailed):
        make_vote(world["building"], world["staff"], rule="poll", notice_at=T0,
                  opens_at=at(1))
    poll = make_vote(world["building"], world["staff"], rule="poll")
    domain.close_vote(world["staff"], poll)
    assert stages.stage_at(poll, utcnow()) == "final" and poll.final_at == poll.closed_at


def test_no_objection_days_means_final_at_close(world):
    vote = make_vote(world["building"], world["staff"], objection_days=0)
    domain.close_vote(world["staff"], vote)
    assert stages.stage_at(vote, utcnow()) == "final"


def test_a_notice_after_the_opening_is_refused(world):
    with pytest.raises(ValidationFailed) as error:
        make_vote(world["building"], world["staff"], notice_at=at(2), opens_at=at(1))
    assert "notice_at" in error.value.fields


# --- over HTTP -----------------------------------------------------------------------------

def _closed_vote(world, days_ago, objection_days=7):
    """A vote where Chen voted yes, closed ``days_ago`` days ago."""
    ago = utcnow() - timedelta(days=days_ago + 1)
    vote = make_vote(world["building"], world["staff"], opens_at=ago, now=ago,
                     objection_days=objection_days)
    domain.cast_ballot(world["chen"], vote, "yes", now=ago + timedelta(hours=1))
    domain.close_vote(world["staff"], vote, now=ago + timedelta(days=1))
    return vote


def test_api_create_vote_with_notice_and_objection_days(api, world):
    answer = api(world["staff"]).post("/votes", {
        "title": "Lift", "description": "A lift", "rule": "major",
        "building_id": world["building"].id, "notice_at": at(0).isoformat(),
        "opens_at": at(3).isoformat(), "objection_days": 5})
    assert answer.status_code == 201, answer.json
    vote = answer.json
    assert (vote["stage"], vote["objection_days"], vote["electorate"]) == ("pending", 5, None)
    assert vote["documents"] == [] and vote["questions"] == [] and vote["objections"] == []
    bad = api(world["staff"]).post("/votes", {
        "title": "Lift", "description": "A lift", "rule": "major",
        "building_id": world["building"].id, "objection_days": 31})
    assert bad.status_code == 400 and "objection_days" in bad.json["error"]["fields"]


def test_api_objection_recount_and_answer(api, world):
    vote = _closed_vote(world, days_ago=2)
    path = f"/votes/{vote.id}"
    chen, staff = api(world["chen"]), api(world["staff"])
    shown = chen.get(path).json
    assert shown["stage"] == "objection" and shown["electorate"]["headcount"] == 3
    filed = chen.post(path + "/objections", {"text": "Please recount"})
    assert filed.status_code == 201 and filed.json["answer"] is None
    assert api(world["tenant"]).post(path + "/objections", {"text": "x"}).status_code == 403
    early = staff.post(path + "/finalize")
    assert early.status_code == 409 and early.json["error"]["code"] == "objection_days_not_over"
    recount = staff.post(path + "/recount")
    assert recount.status_code == 200 and recount.json["chain_ok"] is True
    answered = staff.post(f"/objections/{filed.json['id']}/answer", {"text": "Recounted."})
    assert answered.status_code == 200 and answered.json["answer"]["text"] == "Recounted."
    again = staff.post(f"/objections/{filed.json['id']}/answer", {"text": "Again"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_answered"
    shown = chen.get(path).json
    assert shown["stage"] == "objection" and shown["objections"][0]["answer"]["text"]
    assert api(world["chen"]).post(f"/objections/{filed.json['id']}/answer",
                                   {"text": "x"}).status_code == 403


def test_api_finalize_waits_for_every_answer(api, world):
    vote = _closed_vote(world, days_ago=9)
    objection = stages.file_objection(world["liang"], vote, "Why?", now=vote.closed_at)
    path, staff = f"/votes/{vote.id}", api(world["staff"])
    held = staff.post(path + "/finalize")
    assert held.status_code == 409 and held.json["error"]["code"] == "objections_unanswered"
    assert staff.post(f"/objections/{objection.id}/answer", {"text": "Because."}).status_code == 200
    shown = api(world["chen"]).get(path).json  # answered after the days: final by itself
    assert shown["stage"] == "final" and shown["days_to_decision"] == 10
    late = api(world["chen"]).post(path + "/objections", {"text": "Too late"})
    assert late.status_code == 409 and late.json["error"]["code"] == "not_in_objection"
    assert staff.post(path + "/finalize").json["error"]["code"] == "not_in_objection"


def test_api_objection_text_is_checked(api, world):
    vote = _closed_vote(world, days_ago=1)
    answer = api(world["chen"]).post(f"/votes/{vote.id}/objections", {"text": ""})
    assert answer.status_code == 400 and stages.log_entries(vote) == []


def test_turnout_chart_counts_each_voter_once_from_their_first_ballot(world):
    from mutualaid.votes.chart import turnout_chart, turnout_points

    vote = world["vote"]
    domain.cast_ballot(world["chen"], vote, "no", now=at(2))
    domain.cast_ballot(world["chen"], vote, "yes", now=at(3))  # a change moves no line
    domain.cast_ballot(world["liang"], vote, "yes", now=at(4))
    points, area, heads = turnout_points(vote)
    assert [(p[1], p[2]) for p in points] == [(5000, 1), (12000, 2)]
    assert (area, heads) == (20000, 3)
    chart = turnout_chart(vote, now=at(5))
    assert (chart["area_percent"], chart["headcount_percent"]) == (60, 66)
    assert chart["quorum_y"] == 40 and chart["area"].endswith("300,48")
    assert turnout_chart(vote, now=at(0)) is None  # not open yet
