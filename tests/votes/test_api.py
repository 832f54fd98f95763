"""Votes over HTTP: the whole elevator flow, permissions, and bad input that changes nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid.core.database import utcnow
from mutualaid.votes.models import Ballot, Vote
from tests.factories import make_building, make_community, make_staff, make_unit, make_user
from tests.snapshots import assert_unchanged, snapshot
from tests.votes.factories import later, make_owner, make_vote


@pytest.fixture
def world(db):
    """Building B: owners of 101 (also owns 102), 201 and 301, an ownerless 401, a tenant."""
    building = make_building(name="B")
    staff = make_staff(building.community)
    chen, _u = make_owner(building, "101", "52.36")
    make_unit(building, "102", "33.33", owner=chen)
    liang, _u = make_owner(building, "201", "68.90")
    he, unit301 = make_owner(building, "301", "75.12")
    ownerless = make_unit(building, "401", "88.04")
    tenant = make_user(verified=True, unit=unit301, relation="tenant")
    return dict(building=building, staff=staff, chen=chen, liang=liang, he=he,
                ownerless=ownerless, tenant=tenant, community=building.community)


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_elevator_vote_from_opening_to_result(api, world, db):
    staff = api(world["staff"])
    created = staff.post("/votes", {
        "title": "加装电梯", "description": "Replace the lift; 60% from the fund.", "rule": "major",
        "building_id": world["building"].id, "closes_at": later(days=14).isoformat(),
        "attachments": [{"title": "Quote", "url": "https://example.org/quote.pdf"}]})
    assert created.status_code == 201, created.json
    vote = created.json
    assert (vote["status"], vote["version"], vote["building_name"]) == ("open", 1, "B")
    assert vote["turnout"]["eligible"] == {"area_m2": "317.75", "headcount": 4}
    assert vote["turnout"]["quorum_needed"] == {"area_m2": "211.84", "headcount": 3}
    path = f"/votes/{vote['id']}"

    chen = api(world["chen"])
    first = chen.post(path + "/ballots", {"choice": "no"})
    assert first.status_code == 201
    change = chen.post(path + "/ballots", {"choice": "yes"})
    assert change.status_code == 201 and change.json["receipt"] != first.json["receipt"]
    assert api(world["liang"]).post(path + "/ballots", {"choice": "yes"}).status_code == 201
    paper = staff.post(path + "/ballots", {"choice": "yes", "unit_id": world["ownerless"].id,
                                           "channel": "paper", "note": "signed at the door"})
    assert paper.status_code == 201 and paper.json["ballot"]["channel"] == "paper"
    again = staff.post(path + "/ballots", {"choice": "no", "unit_id": world["ownerless"].id,
                                           "channel": "kiosk"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_voted"

    shown = chen.get(path).json
    assert shown["version"] == 5
    assert shown["turnout"]["participating"] == {"area_m2": "242.63", "headcount": 3}
    assert shown["turnout"]["quorum_met"] is True and shown["turnout"]["passing"] is True
    assert shown["me"]["ballot"]["receipt"] == change.json["receipt"]

    pending = staff.get(path + "/pending-units").json
    assert [(u["number"], u["floor"]) for u in pending["items"]] == [("301", 3)]
    assert pending["items"][0]["owner"]["display_name"] == world["he"].display_name

    anonymous = api()
    old = anonymous.get(f"{path}/receipts/{first.json['receipt']}").json
    assert (old["counted"], old["superseded"], old["choice"]) == (False, True, "no")
    new = anonymous.get(f"{path}/receipts/{change.json['receipt']}").json
    assert (new["counted"], new["superseded"], new["channel"]) == (True, False, "online")

    csv = staff.get(path + "/ballots.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert len(csv.get_data(as_text=True).splitlines()) == 5

    closed = staff.post(path + "/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    late = api(world["he"]).post(path + "/ballots", {"choice": "no"})
    assert late.status_code == 409 and late.json["error"]["code"] == "vote_closed"
    result = chen.get(path + "/result").json
    assert result.pop("ballots_count") == 4 and len(result.pop("chain_head")) == 64
    assert result == {
        "status": "closed", "rule": "major",
        "eligible": {"area_m2": "317.75", "headcount": 4},
        "participating": {"area_m2": "242.63", "headcount": 3}, "quorum_met": True,
        "tally": {"yes": {"area_m2": "242.63", "headcount": 3},
                  "no": {"area_m2": "0.00", "headcount": 0},
                  "abstain": {"area_m2": "0.00", "headcount": 0}},
        "passed": True}


def test_tenant_and_owner_elsewhere_get_not_eligible(api, world):
    vote = make_vote(world["building"], world["staff"])
    other, _u = make_owner(make_building(world["community"]), "101")
    for person in (world["tenant"], other):
        response = api(person).post(f"/votes/{vote.id}/ballots", {"choice": "yes"})
        assert response.status_code == 403
        assert response.json["error"]["code"] == "not_eligible"


def test_scheduled_vote_refuses_ballots(api, world):
    vote = make_vote(world["building"], world["staff"], opens_at=later(days=1))
    response = api(world["chen"]).post(f"/votes/{vote.id}/ballots", {"choice": "yes"})
    assert response.status_code == 409 and response.json["error"]["code"] == "vote_not_open"


def test_vote_past_its_closing_time_reads_as_closed(api, world, db):
    vote = make_vote(world["building"], world["staff"], closes_at=later(days=1))
    db.session.execute(sa.update(Vote).where(Vote.id == vote.id).values(
        opens_at=utcnow() - timedelta(days=3), closes_at=utcnow() - timedelta(days=1)))
    shown = api(world["chen"]).get(f"/votes/{vote.id}").json
    assert shown["status"] == "closed" and shown["closed_at"] is not None
    assert db.session.get(Vote, vote.id).closed_result is not None


def test_list_shows_votes_in_my_scope_with_status_filter(api, world):
    open_vote = make_vote(world["building"], world["staff"], title="Open one")
    make_vote(world["building"], world["staff"], title="Later", opens_at=later(days=2))
    elsewhere = make_building()
    make_vote(elsewhere, title="Elsewhere")
    neighbour = make_user(verified=True, unit=make_unit(elsewhere, "101"), relation="tenant")

    def titles(response):
        return [v["title"] for v in response.json["items"]]

    chen = api(world["chen"])
    assert sorted(titles(chen.get("/votes"))) == ["Later", "Open one"]
    assert titles(chen.get("/votes?status=open")) == ["Open one"]
    assert titles(chen.get("/votes?status=scheduled")) == ["Later"]
    assert titles(chen.get("/votes?status=closed")) == []
    assert titles(api(neighbour).get("/votes")) == ["Elsewhere"]
    assert sorted(titles(api(world["staff"]).get("/votes"))) == ["Later", "Open one"]
    assert chen.get("/votes?status=open").json["items"][0]["id"] == open_vote.id


def test_poll_result_has_no_areas(api, world):
    vote = make_vote(world["building"], world["staff"], rule="poll")
    assert api(world["tenant"]).post(f"/votes/{vote.id}/ballots",
                                     {"choice": "yes"}).status_code == 201
    result = api(world["tenant"]).get(f"/votes/{vote.id}/result").json
    assert result["eligible"]["area_m2"] is None and result["quorum_met"] is True
    assert result["participating"] == {"area_m2": None, "headcount": 1}


def test_unknown_receipt_is_404(api, world):
    vote = make_vote(world["building"], world["staff"])
    anonymous = api()
    assert anonymous.get(f"/votes/{vote.id}/receipts/AAAA-BBBB-CCCC").status_code == 404
    assert anonymous.get(f"/votes/{vote.id}/receipts/{'A' * 40}").status_code == 404
    assert anonymous.get("/votes/999/receipts/AAAA-BBBB-CCCC").status_code == 404


# --- permissions ---------------------------------------------------------------------------

PEOPLE = ["anonymous", "owner", "tenant", "outsider", "staff", "other_staff", "admin"]
ROUTES = [
    # (method, path, body, {who: status})
    ("POST", "/votes", "create", {"anonymous": 401, "owner": 403, "tenant": 403,
                                  "outsider": 403, "staff": 201, "other_staff": 403,
                                  "admin": 201}),
    ("GET", "/votes/{id}", None, {"anonymous": 401, "owner": 200, "tenant": 200,
                                  "outsider": 404, "staff": 200, "other_staff": 404,
                                  "admin": 200}),
    ("GET", "/votes/{id}/result", None, {"anonymous": 401, "owner": 200, "tenant": 200,
                                         "outsider": 404, "staff": 200, "other_staff": 404,
                                         "admin": 200}),
    ("POST", "/votes/{id}/ballots", {"choice": "yes"}, {
        "anonymous": 401, "owner": 201, "tenant": 403, "outsider": 403, "staff": 403,
        "other_staff": 403, "admin": 403}),
    ("POST", "/votes/{id}/ballots", {"choice": "yes", "unit_id": "{unit}", "channel": "paper"},
     {"anonymous": 401, "owner": 403, "tenant": 403, "outsider": 403, "staff": 201,
      "other_staff": 403, "admin": 201}),
    ("GET", "/votes/{id}/pending-units", None, {"anonymous": 401, "owner": 403, "tenant": 403,
                                                "outsider": 403, "staff": 200,
                                                "other_staff": 403, "admin": 200}),
    ("GET", "/votes/{id}/ballots.csv", None, {"anonymous": 401, "owner": 403, "tenant": 403,
                                              "outsider": 403, "staff": 200,
                                              "other_staff": 403, "admin": 200}),
    ("POST", "/votes/{id}/close", None, {"anonymous": 401, "owner": 403, "tenant": 403,
                                         "outsider": 403, "staff": 200, "other_staff": 403,
                                         "admin": 200}),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES,
                         ids=[f"{m} {p} {'staff' if b and 'unit_id' in b else ''}"
                              for m, p, b, _e in ROUTES])
def test_permissions(api, world, who, method, path, body, expected):
    vote = make_vote(world["building"], world["staff"])
    people = {"anonymous": None, "owner": world["chen"], "tenant": world["tenant"],
              "outsider": make_owner(make_building(), "101")[0], "staff": world["staff"],
              "other_staff": make_staff(make_community()), "admin": make_user(role="admin")}
    if body == "create":
        body = {"title": "T", "description": "D", "rule": "ordinary",
                "building_id": world["building"].id}
    elif body and body.get("unit_id") == "{unit}":
        body = body | {"unit_id": world["ownerless"].id}
    client = api(people[who])
    before = snapshot()
    response = client.call(method, path.format(id=vote.id), json=body)
    assert response.status_code == expected[who], response.get_data(as_text=True)
    if method != "GET" and response.status_code >= 400:
        assert_unchanged(before, snapshot())


def test_receipts_are_open_to_anyone_but_reveal_no_identity(api, world):
    vote = make_vote(world["building"], world["staff"])
    receipt = api(world["chen"]).post(f"/votes/{vote.id}/ballots", {"choice": "yes"}).json
    answer = api().get(f"/votes/{vote.id}/receipts/{receipt['receipt']}")
    assert answer.status_code == 200
    assert world["chen"].username not in answer.get_data(as_text=True)
    assert "voter" not in answer.json and "cast_by" not in answer.json


# --- bad input changes nothing -------------------------------------------------------------

BAD_VOTES = [
    ({}, 400),
    ({"title": "", "description": "d", "rule": "major", "building_id": "{b}"}, 400),
    ({"title": "x" * 201, "description": "d", "rule": "major", "building_id": "{b}"}, 400),
    ({"title": "t", "description": "d", "rule": "unanimous", "building_id": "{b}"}, 400),
    ({"title": "t", "description": "d", "rule": "major"}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": 99999}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": "7"}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": 2**70}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": "{b}",
      "closes_at": "2020-01-01T00:00:00+08:00"}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": "{b}",
      "closes_at": "tomorrow"}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": "{b}",
      "attachments": [{"title": "x", "url": "javascript:alert(1)"}]}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": "{b}",
      "attachments": "nope"}, 400),
    ({"title": "t", "description": "d", "rule": "major", "building_id": "{b}",
      "community_id": "{other}"}, 400),
    ([1, 2], 400),
]


@pytest.mark.parametrize(("body", "status"), BAD_VOTES)
def test_bad_vote_input_is_refused_and_changes_nothing(api, world, db, body, status):
    other = make_community()
    if isinstance(body, dict):
        body = {k: {"{b}": world["building"].id, "{other}": other.id}.get(v, v)
                if isinstance(v, str) else v for k, v in body.items()}
    staff = api(world["staff"])
    before = snapshot()
    response = staff.post("/votes", body)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] in ("invalid_input", "invalid_json")
    assert _count(db, Vote) == 0
    assert_unchanged(before, snapshot())


BAD_BALLOTS = [
    {}, {"choice": "maybe"}, {"choice": "YES"}, {"choice": 1}, {"choice": None},
    {"choice": "yes", "unit_id": "{unit}"},
    {"choice": "yes", "unit_id": "{unit}", "channel": "online"},
    {"choice": "yes", "unit_id": "{unit}", "channel": "fax"},
    {"choice": "yes", "unit_id": 99999, "channel": "paper"},
    {"choice": "yes", "unit_id": "{unit}", "channel": "paper", "note": "x" * 201},
    {"choice": "yes", "channel": "paper"},
    {"choice": "yes", "note": "hi"},
    {"choice": ["yes"]},
]


@pytest.mark.parametrize("body", BAD_BALLOTS)
def test_bad_ballot_input_is_refused_and_changes_nothing(api, world, db, body):
    vote = make_vote(world["building"], world["staff"])
    body = {k: world["ownerless"].id if v == "{unit}" else v for k, v in body.items()}
    staff = api(world["staff"])
    before = snapshot()
    response = staff.post(f"/votes/{vote.id}/ballots", body)
    assert response.status_code == 400, response.json
    assert_unchanged(before, snapshot())
    assert _count(db, Ballot) == 0
    assert db.session.get(Vote, vote.id).version == 1


def test_non_json_and_unknown_ids_are_refused(api, world, db):
    vote = make_vote(world["building"], world["staff"])
    staff = api(world["staff"])
    raw = staff.call("POST", f"/votes/{vote.id}/ballots", data="choice=yes",
                     content_type="application/x-www-form-urlencoded")
    assert raw.status_code == 400
    assert staff.get("/votes/99999").status_code == 404
    assert staff.get(f"/votes/{2**64}").status_code == 404
    assert staff.post("/votes/99999/close").status_code == 404
    assert staff.get("/votes?status=sideways").status_code == 400
    assert _count(db, Ballot) == 0


def test_closing_twice_conflicts(api, world):
    vote = make_vote(world["building"], world["staff"])
    staff = api(world["staff"])
    assert staff.post(f"/votes/{vote.id}/close").status_code == 200
    again = staff.post(f"/votes/{vote.id}/close")
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"


def test_openapi_documents_the_vote_routes(api):
    paths = api().get("/openapi.json").json["paths"]
    for path in ("/api/v1/votes", "/api/v1/votes/{vote_id}/ballots",
                 "/api/v1/votes/{vote_id}/receipts/{code}", "/api/v1/votes/{vote_id}/result"):
        assert path in paths
