"""Proxies (委托投票): the written authorisation, the proxy's ballot for the owner, the owner's
own latest ballot winning, and the audit (chain, CSV, verify-vote) covering them."""
from datetime import date, timedelta

import pytest
from flask_migrate import stamp

from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.votes import audit, domain, proxies
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import make_owner, make_vote

SIGNED = date.today() - timedelta(days=1)


@pytest.fixture
def world(db):
    building = make_building(name="B")
    staff = make_staff(building.community)
    owner, _u = make_owner(building, "501", "80.00")
    daughter = make_user(verified=True, unit=make_unit(building, "601"), relation="family")
    stranger = make_user(verified=True, unit=make_unit(make_building(), "101"))
    vote = make_vote(building, staff)
    return dict(building=building, staff=staff, owner=owner, daughter=daughter,
                stranger=stranger, vote=vote)


def _authorise(world, **kwargs):
    kwargs.setdefault("proxy", world["daughter"])
    return proxies.authorise_proxy(world["staff"], world["vote"], world["owner"],
                                   kwargs["proxy"], "委托书 signed at the hut", SIGNED)


def test_the_proxy_votes_for_the_owner_and_the_owner_still_wins(world):
    vote, owner, daughter = world["vote"], world["owner"], world["daughter"]
    with pytest.raises(Forbidden) as error:
        proxies.cast_proxy_ballot(daughter, vote, owner.id, "yes")
    assert error.value.code == "not_proxy"
    _authorise(world)
    ballot = proxies.cast_proxy_ballot(daughter, vote, owner.id, "yes")
    assert (ballot.channel, ballot.recorded_by, ballot.voter_key) == \
        ("proxy", "proxy", f"owner:{owner.id}")
    assert domain.my_ballot(owner, vote).id == ballot.id  # the owner sees it
    own = domain.cast_ballot(owner, vote, "no")
    assert domain.my_ballot(owner, vote).id == own.id
    with pytest.raises(Conflict) as error:
        proxies.cast_proxy_ballot(daughter, vote, owner.id, "yes")
    assert error.value.code == "already_voted"
    assert domain.tally_vote(vote).tally["no"].headcount == 1


def test_only_the_named_proxy_and_only_while_authorised(world):
    row = _authorise(world)
    with pytest.raises(Forbidden):
        proxies.cast_proxy_ballot(world["stranger"], world["vote"], world["owner"].id, "yes")
    proxies.withdraw_proxy(world["staff"], row)
    with pytest.raises(Forbidden):
        proxies.cast_proxy_ballot(world["daughter"], world["vote"], world["owner"].id, "yes")


def test_authorisations_are_checked(world):
    with pytest.raises(ValidationFailed) as error:
        _authorise(world, proxy=world["stranger"])  # another community
    assert "proxy_id" in error.value.fields
    with pytest.raises(ValidationFailed):
        proxies.authorise_proxy(world["staff"], world["vote"], world["daughter"],
                                world["owner"], "not an owner", SIGNED)
    _authorise(world)
    with pytest.raises(Conflict) as error:
        _authorise(world)
    assert error.value.code == "duplicate"
    with pytest.raises(Forbidden):
        proxies.authorise_proxy(make_staff(), world["vote"], world["owner"], world["daughter"],
                                "x", SIGNED)


def test_the_chain_seals_the_authorisation_and_the_csv_shows_it(world, db):
    row = _authorise(world)
    proxies.cast_proxy_ballot(world["daughter"], world["vote"], world["owner"].id, "yes")
    assert domain.verify_vote(world["vote"])[0] == []
    lines = audit.ballots_csv(world["vote"].id).splitlines()
    assert lines[1].endswith(f"proxy,#{row.id} owner:{world['owner'].id} "
                             f"proxy:{world['daughter'].id} signed {SIGNED}: 委托书 signed at the hut")
    row.note = "changed afterwards"
    db.session.flush()
    problems, _result = domain.verify_vote(world["vote"])
    assert problems and "hash" in problems[0]


def test_verify_vote_command_covers_proxy_ballots(world, db, runner):
    _authorise(world)
    proxies.cast_proxy_ballot(world["daughter"], world["vote"], world["owner"].id, "yes")
    vote_id = world["vote"].id
    db.session.commit()
    stamp(revision="heads")
    db.session.remove()  # SQLite: release the test's write lock for the command
    result = runner.invoke(args=["verify-vote", str(vote_id)])
    assert result.exit_code == 0 and "chain intact" in result.output, result.output


def test_api_proxy_flow(api, world):
    staff, path = api(world["staff"]), f"/votes/{world['vote'].id}"
    body = {"owner_id": world["owner"].id, "proxy_id": world["daughter"].id,
            "note": "Written authorisation", "signed_on": SIGNED.isoformat()}
    created = staff.post(path + "/proxies", body)
    assert created.status_code == 201, created.json
    assert created.json["proxy"]["id"] == world["daughter"].id
    assert staff.post(path + "/proxies", body).status_code == 409
    daughter = api(world["daughter"])
    cast = daughter.post(path + "/ballots", {"choice": "yes", "for_owner_id": world["owner"].id})
    assert cast.status_code == 201 and cast.json["ballot"]["channel"] == "proxy"
    assert cast.json["ballot"]["recorded_by"] == "proxy"
    again = daughter.post(path + "/ballots", {"choice": "no", "for_owner_id": world["owner"].id})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_voted"
    other = api(world["stranger"]).post(path + "/ballots", {"choice": "no",
                                                            "for_owner_id": world["owner"].id})
    assert other.status_code == 403 and other.json["error"]["code"] == "not_proxy"
    mixed = daughter.post(path + "/ballots", {"choice": "no", "for_owner_id": world["owner"].id,
                                              "unit_id": 1, "channel": "paper"})
    assert mixed.status_code == 400
    assert staff.delete(f"/proxies/{created.json['id']}").status_code == 204
    assert staff.delete(f"/proxies/{created.json['id']}").status_code == 404
    future = staff.post(path + "/proxies", body | {
        "signed_on": (utcnow() + timedelta(days=3)).date().isoformat()})
    assert future.status_code == 400 and "signed_on" in future.json["error"]["fields"]
