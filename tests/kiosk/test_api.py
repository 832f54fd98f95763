"""Kiosks over HTTP: staff issue, list and revoke tokens; a kiosk signs people in briefly."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import ApiToken, User
from mutualaid.core.database import utcnow
from mutualaid.kiosk.models import Kiosk
from tests.factories import make_building, make_community, make_staff, make_unit, make_user


class KioskClient:
    """Calls /api/v1 with a kiosk token (or any raw bearer) as the Authorization header."""

    def __init__(self, client, token):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def call(self, method, path, json=None):
        return self.client.open("/api/v1" + path, method=method, json=json, headers=self.headers)


@pytest.fixture
def world(db):
    """A community with building B, its staff, a resident with PIN 2468, an outsider."""
    community = make_community()
    building = make_building(community, name="B")
    staff = make_staff(community)
    resident = make_user(username="liang", verified=True, unit=make_unit(building))
    accounts.set_pin(resident, resident, "2468")
    outsider = make_user(username="far", verified=True)
    accounts.set_pin(outsider, outsider, "2468")
    return {"community": community, "building": building, "staff": staff, "resident": resident,
            "outsider": outsider, "other_staff": make_staff(make_community())}


@pytest.fixture
def kiosk(api, world):
    """A kiosk issued by the staff for building B: its JSON answer (with the raw token)."""
    response = api(world["staff"]).post("/kiosks", json={"name": "Hut B",
                                                         "building_id": world["building"].id})
    assert response.status_code == 201
    return response.json


@pytest.fixture
def at_kiosk(app, kiosk):
    """A client that speaks with the kiosk's token."""
    return KioskClient(app.test_client(), kiosk["token"])


def sign_in(at_kiosk, username="liang", pin="2468"):
    return at_kiosk.call("POST", "/kiosk/sign-in", {"username": username, "pin": pin})


def test_staff_issue_kiosk_with_token_and_url(kiosk, world):
    assert kiosk["building_id"] == world["building"].id and kiosk["name"] == "Hut B"
    assert kiosk["url"].endswith("/kiosk/" + kiosk["token"])
    assert len(kiosk["token"]) >= 40


@pytest.mark.parametrize("who, status", [
    (None, 401), ("resident", 403), ("other_staff", 403), ("staff", 201),
])
def test_api_kiosks_post_permissions(api, world, db, who, status):
    response = api(world.get(who)).post("/kiosks", json={"name": "Hut",
                                                         "building_id": world["building"].id})
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == (
        1 if status == 201 else 0)


@pytest.mark.parametrize("body", [
    {"name": "", "building_id": 1}, {"name": "x" * 101, "building_id": 1}, {"name": "Hut"},
    {"name": "Hut", "building_id": "1"}, {"name": "Hut", "building_id": 0},
])
def test_api_kiosks_post_bad_input_is_400_and_changes_nothing(api, world, db, body):
    response = api(world["staff"]).post("/kiosks", json=body)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == 0


def test_staff_list_their_kiosks_only(api, world, kiosk):
    listed = api(world["staff"]).get("/kiosks").json
    assert [item["id"] for item in listed["items"]] == [kiosk["id"]]
    assert "token" not in listed["items"][0]
    assert api(world["other_staff"]).get("/kiosks").json["total"] == 0
    assert api(world["resident"]).get("/kiosks").status_code == 403


def test_revoked_kiosk_token_stops_working(api, world, kiosk, at_kiosk):
    assert api(world["other_staff"]).delete(f"/kiosks/{kiosk['id']}").status_code == 403
    assert at_kiosk.call("GET", "/kiosk/board").status_code == 200
    assert api(world["staff"]).delete(f"/kiosks/{kiosk['id']}").status_code == 204
    assert at_kiosk.call("GET", "/kiosk/board").status_code == 401
    assert sign_in(at_kiosk).status_code == 401
    assert api(world["staff"]).delete(f"/kiosks/{kiosk['id']}").status_code == 409


@pytest.mark.parametrize("method, path", [
    ("GET", "/me"), ("GET", "/orders"), ("GET", "/services"), ("GET", "/kiosks"),
    ("POST", "/orders"), ("PUT", "/me/pin"), ("DELETE", "/auth/tokens/current"),
])
def test_kiosk_token_alone_is_not_a_user_token(at_kiosk, method, path):
    response = at_kiosk.call(method, path, {} if method != "GET" else None)
    assert response.status_code == 401


def test_kiosk_board_and_page_need_a_live_kiosk_token(app, at_kiosk, kiosk):
    assert at_kiosk.call("GET", "/kiosk/board").json["kiosk"]["building_name"] == "B"
    assert KioskClient(app.test_client(), "made-up").call("GET", "/kiosk/board").status_code == 401
    assert app.test_client().get("/api/v1/kiosk/board").status_code == 401
    assert app.test_client().get("/kiosk/" + kiosk["token"]).status_code == 200
    assert app.test_client().get("/kiosk/made-up").status_code == 404


def test_sign_in_gives_a_five_minute_user_token(app, at_kiosk, world, db):
    response = sign_in(at_kiosk)
    assert response.status_code == 201
    assert response.json["expires_in"] == 300
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == world["resident"].id))
    assert timedelta(minutes=4) < token.expires_at - utcnow() <= timedelta(minutes=5)
    me = KioskClient(app.test_client(), response.json["token"]).call("GET", "/me")
    assert me.status_code == 200 and me.json["username"] == "liang"


def test_sign_in_needs_the_kiosk_token(app, world):
    anonymous = app.test_client().post("/api/v1/kiosk/sign-in",
                                       json={"username": "liang", "pin": "2468"})
    assert anonymous.status_code == 401
    user_token = accounts.issue_token(world["resident"])
    as_user = KioskClient(app.test_client(), user_token)
    assert sign_in(as_user).status_code == 401


@pytest.mark.parametrize("username, pin, status, code", [
    ("liang", "1111", 401, "invalid_credentials"),
    ("nobody", "2468", 401, "invalid_credentials"),
    ("far", "2468", 401, "invalid_credentials"),  # another community's: no PIN oracle
])
def test_sign_in_refusals(at_kiosk, world, username, pin, status, code):
    response = sign_in(at_kiosk, username, pin)
    assert response.status_code == status and response.json["error"]["code"] == code


@pytest.mark.parametrize("body", [
    {"username": "liang", "pin": "12"}, {"username": "liang", "pin": "1234567"},
    {"username": "liang", "pin": 2468}, {"username": "liang", "pin": "24a8"},
    {"username": "", "pin": "2468"}, {"pin": "2468"},
])
def test_sign_in_bad_input_is_400_and_counts_nothing(at_kiosk, world, db, body):
    response = at_kiosk.call("POST", "/kiosk/sign-in", body)
    assert response.status_code == 400
    assert db.session.get(User, world["resident"].id).pin_failures == 0


def test_five_wrong_pins_lock_the_pin_for_fifteen_minutes(at_kiosk, world, db):
    for _ in range(5):
        assert sign_in(at_kiosk, pin="0000").status_code == 401
    locked = sign_in(at_kiosk)
    assert locked.status_code == 403 and locked.json["error"]["code"] == "pin_locked"
    user = db.session.get(User, world["resident"].id)
    assert timedelta(minutes=14) < user.pin_locked_until - utcnow() <= timedelta(minutes=15)


def test_locked_pin_unlocks_after_fifteen_minutes(at_kiosk, world, db):
    for _ in range(5):
        sign_in(at_kiosk, pin="0000")
    assert sign_in(at_kiosk).status_code == 403
    user = db.session.get(User, world["resident"].id)
    user.pin_locked_until = utcnow() - timedelta(seconds=1)  # as if 15 minutes went by
    db.session.commit()
    assert sign_in(at_kiosk).status_code == 201


def test_people_lists_residents_of_the_building_with_a_pin(at_kiosk, world):
    people = at_kiosk.call("GET", "/kiosk/people").json["items"]
    assert [person["username"] for person in people] == ["liang"]
