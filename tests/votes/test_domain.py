"""Vote domain rules without HTTP: eligibility, changes, closing, staff ballots, polls."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mutualaid.accounts import domain as accounts
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from mutualaid.core.extensions import socketio
from mutualaid.realtime.outbox import OUTBOX
from mutualaid.votes import audit, domain
from mutualaid.votes.models import Ballot, CurrentBallot
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import later, make_owner, make_vote


@pytest.fixture
def building(db):
    return make_building(name="B")


@pytest.fixture
def staff(building):
    return make_staff(building.community)


def test_owner_of_several_units_counts_once_with_summed_area(building, staff):
    owner, _unit = make_owner(building, "101", "52.36")
    make_unit(building, "102", "33.33", owner=owner)
    make_unit(building, "201", "68.90")  # ownerless: a voter of its own
    vote = make_vote(building, staff)
    assert domain.electorate(vote) == {f"owner:{owner.id}": 5236 + 3333,
                                       f"unit:{_unit_id(building, '201')}": 6890}
    domain.cast_ballot(owner, vote, "yes")
    turnout = domain.turnout(vote)
    assert turnout["eligible"] == {"area_m2": "154.59", "headcount": 2}
    assert turnout["participating"] == {"area_m2": "85.69", "headcount": 1}


def _unit_id(building, number):
    from mutualaid.places.models import Unit
    from mutualaid.core.extensions import db

    return db.session.scalar(sa.select(Unit.id).where(Unit.building_id == building.id,
                                                      Unit.number == number))


def test_owner_living_elsewhere_votes_for_their_unit_in_scope(building, staff):
    elsewhere = make_building(building.community, name="C")
    owner, _home = make_owner(elsewhere, "501")
    make_unit(building, "301", owner=owner)
    vote = make_vote(building, staff)
    ballot = domain.cast_ballot(owner, vote, "no")
    assert ballot.voter_key == f"owner:{owner.id}"


@pytest.mark.parametrize("relation", ["tenant", "family"])
@pytest.mark.parametrize("rule", ["major", "ordinary"])
def test_tenants_and_family_cannot_vote_under_owner_rules(building, staff, relation, rule):
    owner, unit = make_owner(building, "101")
    resident = make_user(verified=True, unit=unit, relation=relation)
    vote = make_vote(building, staff, rule=rule)
    with pytest.raises(Forbidden) as error:
        domain.cast_ballot(resident, vote, "yes")
    assert error.value.code == "not_eligible"


def test_owner_in_another_building_is_not_eligible(building, staff):
    other, _unit = make_owner(make_building(building.community), "101")
    vote = make_vote(building, staff)
    with pytest.raises(Forbidden) as error:
        domain.cast_ballot(other, vote, "yes")
    assert error.value.code == "not_eligible"


def test_unverified_owner_of_record_cannot_vote_online(building, staff):
    owner = make_user()
    make_unit(building, "101", owner=owner)
    vote = make_vote(building, staff)
    with pytest.raises(Forbidden) as error:
        domain.cast_ballot(owner, vote, "yes")
    assert error.value.code == "not_verified"


def test_change_of_ballot_counts_the_latest_and_keeps_both_records(building, staff):
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    first = domain.cast_ballot(owner, vote, "no")
    second = domain.cast_ballot(owner, vote, "yes")
    assert first.receipt != second.receipt
    assert [b.choice for b in audit.records(vote.id)] == ["no", "yes"]
    assert domain.receipt_status(vote, first.receipt)["superseded"] is True
    assert domain.receipt_status(vote, second.receipt)["counted"] is True
    assert domain.tally_vote(vote).tally["yes"].headcount == 1
    assert domain.tally_vote(vote).tally["no"].headcount == 0


def test_one_current_ballot_per_voter_is_a_database_constraint(building, staff, db):
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    ballot = domain.cast_ballot(owner, vote, "yes")
    db.session.commit()
    other = Ballot(vote_id=vote.id, seq=99, voter_key=ballot.voter_key, cast_by_id=owner.id,
                   choice="no", channel="online", recorded_at=utcnow(), receipt="X",
                   prev_hash=ballot.hash, hash="f" * 64)
    db.session.add(other)
    db.session.flush()
    db.session.add(CurrentBallot(vote_id=vote.id, voter_key=ballot.voter_key,
                                 ballot_id=other.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_closed_vote_refuses_ballots(building, staff):
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    domain.close_vote(staff, vote)
    with pytest.raises(Conflict) as error:
        domain.cast_ballot(owner, vote, "yes")
    assert error.value.code == "vote_closed"
    with pytest.raises(InvalidTransition):
        domain.close_vote(staff, vote)


def test_scheduled_vote_refuses_ballots_until_it_opens(building, staff):
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff, opens_at=later(days=1), closes_at=later(days=8))
    assert vote.status == "scheduled"
    with pytest.raises(Conflict) as error:
        domain.cast_ballot(owner, vote, "yes")
    assert error.value.code == "vote_not_open"
    ballot = domain.cast_ballot(owner, vote, "yes", now=later(days=2))
    assert ballot.seq == 1


def test_vote_closes_itself_at_its_closing_time_and_freezes_the_result(building, staff, db):
    owner, unit = make_owner(building, "101")
    vote = make_vote(building, staff, closes_at=later(days=7))
    domain.cast_ballot(owner, vote, "yes")
    closed = domain.refresh_due_votes(now=later(days=8))
    assert closed == [vote] and vote.closed_at == vote.closes_at
    frozen = domain.vote_result(vote)
    assert frozen["status"] == "closed" and frozen["passed"] is True
    unit.owner_id = None  # a sale after the close does not rewrite the result
    assert domain.vote_result(vote) == frozen
    assert domain.refresh_due_votes(now=later(days=9)) == []


def test_staff_record_paper_ballot_for_owner_then_owner_may_change_it(building, staff):
    owner, unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    paper = domain.record_assisted_ballot(staff, vote, unit, "no", "paper", "signed form #12")
    assert (paper.voter_key, paper.channel, paper.cast_by_id) == (
        f"owner:{owner.id}", "paper", staff.id)
    assert domain.my_ballot(owner, vote) == paper
    with pytest.raises(Conflict) as error:
        domain.record_assisted_ballot(staff, vote, unit, "yes", "kiosk")
    assert error.value.code == "already_voted"
    changed = domain.cast_ballot(owner, vote, "yes")
    assert domain.my_ballot(owner, vote) == changed


def test_staff_ballot_for_a_second_unit_of_the_same_owner_is_already_voted(building, staff):
    owner, first = make_owner(building, "101")
    second = make_unit(building, "102", owner=owner)
    vote = make_vote(building, staff)
    domain.cast_ballot(owner, vote, "yes")
    with pytest.raises(Conflict) as error:
        domain.record_assisted_ballot(staff, vote, second, "no", "paper")
    assert error.value.code == "already_voted"


def test_ownerless_unit_votes_once_through_staff(building, staff):
    make_owner(building, "101")
    unit = make_unit(building, "201", "33.33")
    vote = make_vote(building, staff)
    ballot = domain.record_assisted_ballot(staff, vote, unit, "yes", "kiosk", "at the hut")
    assert ballot.voter_key == f"unit:{unit.id}"
    assert domain.turnout(vote)["participating"] == {"area_m2": "33.33", "headcount": 1}
    assert [u.number for u in domain.pending_units(staff, vote)] == ["101"]


def test_staff_of_another_community_cannot_record_ballots(building, staff):
    _owner, unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    with pytest.raises(Forbidden):
        domain.record_assisted_ballot(make_staff(), vote, unit, "yes", "paper")


def test_staff_ballot_for_a_unit_outside_the_scope_is_refused(building, staff):
    vote = make_vote(building, staff)
    outside = make_unit(make_building(building.community), "101")
    with pytest.raises(Forbidden) as error:
        domain.record_assisted_ballot(staff, vote, outside, "yes", "paper")
    assert error.value.code == "not_eligible"


def test_staff_ballots_cannot_claim_the_online_channel(building, staff):
    _owner, unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    with pytest.raises(ValidationFailed):
        domain.record_assisted_ballot(staff, vote, unit, "yes", "online")


def test_poll_is_one_ballot_per_verified_resident_of_any_relation(building, staff):
    owner, unit = make_owner(building, "101")
    tenant = make_user(verified=True, unit=unit, relation="tenant")
    family = make_user(verified=True, unit=unit, relation="family")
    unverified = make_user()
    vote = make_vote(building, staff, rule="poll")
    for person, choice in ((owner, "yes"), (tenant, "yes"), (family, "no")):
        domain.cast_ballot(person, vote, choice)
    with pytest.raises(Forbidden):
        domain.cast_ballot(unverified, vote, "yes")
    result = domain.vote_result(vote)
    assert result["eligible"] == {"area_m2": None, "headcount": 3}
    assert result["tally"]["yes"] == {"area_m2": None, "headcount": 2}
    assert result["quorum_met"] is True and result["passed"] is True


def test_poll_staff_ballot_names_the_resident(building, staff):
    _owner, unit = make_owner(building, "101")
    tenant = make_user(verified=True, unit=unit, relation="tenant")
    vote = make_vote(building, staff, rule="poll")
    with pytest.raises(ValidationFailed):
        domain.record_assisted_ballot(staff, vote, unit, "yes", "paper")
    ballot = domain.record_assisted_ballot(staff, vote, unit, "yes", "paper", resident=tenant)
    assert ballot.voter_key == f"user:{tenant.id}"


def test_community_vote_counts_every_building(building, staff):
    owner_b, _unit = make_owner(building, "101", "50.00")
    owner_c, _unit = make_owner(make_building(building.community, name="C"), "101", "60.00")
    vote = make_vote(community=building.community, staff=staff, rule="ordinary")
    domain.cast_ballot(owner_b, vote, "yes")
    domain.cast_ballot(owner_c, vote, "yes")
    assert domain.vote_result(vote)["participating"] == {"area_m2": "110.00", "headcount": 2}


def test_ballots_and_closing_announce_turnout_to_the_scope_rooms(app, building, staff, db):
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    token = accounts.issue_token(owner)
    db.session.commit()
    listener = socketio.test_client(app, auth={"token": token})  # in the building's room
    listener.get_received()

    domain.cast_ballot(owner, vote, "yes")
    event, _payload, rooms = db.session.info[OUTBOX][-1]
    assert event == "vote.turnout"
    assert rooms == [f"vote:{vote.id}", f"building:{building.id}"]
    assert listener.get_received() == []  # nothing before the commit, nor counted under lock
    db.session.commit()
    (turnout,) = listener.get_received()
    payload = turnout["args"][0]
    assert turnout["name"] == "vote.turnout" and payload["id"] == vote.id
    assert payload["version"] == 2 and payload["turnout"]["participating"]["headcount"] == 1

    domain.close_vote(staff, vote)
    event, payload, _rooms = db.session.info[OUTBOX][-1]
    assert (event, payload["status"], payload["version"]) == ("vote.closed", "closed", 3)


def test_a_turnout_that_cannot_be_read_after_the_commit_leaves_the_ballot_counted(
        app, building, staff, db, monkeypatch, caplog):
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    db.session.commit()
    monkeypatch.setattr(domain, "vote_payload", lambda vote: 1 / 0)
    ballot = domain.cast_ballot(owner, vote, "yes")
    db.session.commit()
    assert "could not read vote.turnout" in caplog.text
    assert db.session.get(CurrentBallot, (vote.id, ballot.voter_key)).ballot_id == ballot.id


def test_opening_is_announced_once_when_its_time_comes(building, staff, db):
    vote = make_vote(building, staff, opens_at=later(hours=1))
    db.session.commit()
    assert domain.refresh_due_votes(now=utcnow() + timedelta(hours=2)) == [vote]
    assert [e for e, _p, _r in db.session.info[OUTBOX]] == ["vote.opened"]
    assert domain.refresh_due_votes(now=utcnow() + timedelta(hours=3)) == []


def test_closing_time_must_follow_opening_time(building, staff):
    with pytest.raises(ValidationFailed):
        make_vote(building, staff, opens_at=later(days=2), closes_at=later(days=1))


def test_vote_room_is_for_the_scope_and_its_staff(building, staff):
    from mutualaid.realtime.rooms import may_subscribe

    owner, unit = make_owner(building, "101")
    tenant = make_user(verified=True, unit=unit, relation="tenant")
    stranger, _unit = make_owner(make_building(), "101")
    vote = make_vote(building, staff)
    name = f"vote:{vote.id}"
    assert [may_subscribe(person, name) for person in (owner, tenant, staff)] == [True] * 3
    assert may_subscribe(stranger, name) is False
    assert may_subscribe(make_staff(), name) is False
    assert may_subscribe(owner, "vote:999") is False
