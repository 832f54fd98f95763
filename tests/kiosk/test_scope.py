"""Kiosk-scoped person tokens: the kiosk screens' actions and reads, nothing else; who may
sign in at a kiosk, and how."""
import pytest
import sqlalchemy as sa

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import ApiToken, User
from mutualaid.kiosk import domain as kiosks
from mutualaid.kiosk.scope import KIOSK_SCOPE
from mutualaid.votes.models import Ballot
from tests.factories import PASSWORD, make_building, make_community, make_staff, make_unit, \
    make_user
from tests.kiosk.test_api import KioskClient
from tests.votes.factories import make_owner, make_vote


@pytest.fixture
def world(db):
    """Community A with building B, its kiosk, staff (with a PIN too), an owner with PIN
    2468 and an open vote; community F with a resident whose PIN is also 2468."""
    community = make_community()
    building = make_building(community, name="B")
    staff = make_staff(community, username="wang")
    owner, unit = make_owner(building, "1203", username="liang")
    accounts.set_pin(owner, owner, "2468")
    accounts.set_pin(staff, staff, "1357")
    far = make_user(username="far", verified=True, unit=make_unit(make_building()))
    accounts.set_pin(far, far, "2468")
    vote = make_vote(building, staff)
    kiosk, raw = kiosks.issue_kiosk(staff, building, "Hut B")
    return {"community": community, "building": building, "staff": staff, "owner": owner,
            "unit": unit, "far": far, "vote": vote, "kiosk": kiosk, "kiosk_token": raw}


@pytest.fixture
def at_kiosk(app, world, db):
    db.session.commit()
    return KioskClient(app.test_client(), world["kiosk_token"])


def signed_in(app, at_kiosk, **body):
    """A client holding the kiosk-scoped token of a sign-in with ``body``."""
    response = at_kiosk.call("POST", "/kiosk/sign-in", body)
    assert response.status_code == 201, response.json
    return KioskClient(app.test_client(), response.json["token"])


@pytest.fixture
def resident(app, at_kiosk):
    return signed_in(app, at_kiosk, username="liang", pin="2468")


@pytest.fixture
def staff(app, at_kiosk):
    return signed_in(app, at_kiosk, username="wang", password=PASSWORD)


def test_sign_in_marks_the_token_with_its_kiosk(resident, world, db):
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == world["owner"].id))
    assert token.kiosk_id == world["kiosk"].id


@pytest.mark.parametrize("method, path, body", [
    ("PUT", "/me/pin", {"pin": "9999"}),
    ("POST", "/auth/tokens", {"username": "liang", "password": PASSWORD}),
    ("POST", "/offers", {"title": "Fix taps", "tags": ["repair"]}),
    ("PUT", "/me/skills", {"tags": ["repair"]}),
    ("GET", "/me/ledger", None),
    ("POST", "/kiosk/sign-in", {"username": "liang", "pin": "2468"}),
])
def test_kiosk_token_outside_the_scope_is_kiosk_scope(resident, world, db, method, path, body):
    response = resident.call(method, path, body)
    assert response.status_code == 403 and response.json["error"]["code"] == "kiosk_scope"
    owner = db.session.get(User, world["owner"].id)
    assert accounts.check_pin("liang", "2468") == owner  # the PIN did not change


def test_kiosk_token_opens_no_page(resident):
    response = resident.client.get("/me", headers=resident.headers)
    assert response.status_code == 403


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/votes", {"title": "Paint", "description": "Walls", "rule": "poll",
                        "community_id": 1}),
    ("POST", "/communities", {"name": "Elsewhere"}),
    ("PUT", "/users/1/pin", {"pin": "9999"}),
    ("GET", "/users", None),
    ("POST", "/kiosks", {"name": "Hut", "building_id": 1}),
])
def test_staff_kiosk_token_has_no_staff_powers(staff, method, path, body):
    response = staff.call(method, path, body)
    assert response.status_code == 403 and response.json["error"]["code"] == "kiosk_scope"


def test_kiosk_token_posts_an_order_and_reads_it(resident, world):
    created = resident.call("POST", "/orders", {"title": "Carry the shopping", "description": "",
                                                "tags": ["errands"]})
    assert created.status_code == 201, created.json
    assert resident.call("GET", f"/orders/{created.json['id']}").status_code == 200
    assert resident.call("GET", "/me").json["username"] == "liang"


def test_kiosk_ballot_carries_channel_kiosk_and_can_be_changed(resident, world, db):
    path = f"/votes/{world['vote'].id}/ballots"
    assert resident.call("POST", path, {"choice": "no"}).status_code == 201
    changed = resident.call("POST", path, {"choice": "yes"})
    assert changed.status_code == 201 and changed.json["ballot"]["channel"] == "kiosk"
    channels = db.session.scalars(sa.select(Ballot.channel).order_by(Ballot.id)).all()
    assert channels == ["kiosk", "kiosk"]


def test_staff_kiosk_token_records_an_assisted_kiosk_ballot(staff, world, db):
    response = staff.call("POST", f"/votes/{world['vote'].id}/ballots",
                          {"choice": "yes", "unit_id": world["unit"].id, "channel": "paper"})
    assert response.status_code == 201 and response.json["ballot"]["channel"] == "kiosk"


def test_kiosk_sign_out_revokes_the_token(resident):
    assert resident.call("DELETE", "/auth/tokens/current").status_code == 204
    assert resident.call("GET", "/me").status_code == 401


def test_staff_never_sign_in_with_a_pin(at_kiosk):
    response = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "wang", "pin": "1357"})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"


def test_residents_sign_in_with_a_pin_not_a_password(at_kiosk):
    response = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "liang",
                                                        "password": PASSWORD})
    assert response.status_code == 401


def test_staff_with_a_wrong_password_are_refused(at_kiosk):
    response = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "wang", "password": "nope"})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"


def test_staff_of_another_community_cannot_sign_in_here(at_kiosk, db):
    make_staff(make_community(), username="zhao")
    db.session.commit()
    response = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "zhao", "password": PASSWORD})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"


def test_foreign_resident_gets_no_pin_oracle_and_no_lock_out(at_kiosk, world, db):
    right = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "far", "pin": "2468"})
    assert right.status_code == 401 and right.json["error"]["code"] == "invalid_credentials"
    for _ in range(6):
        wrong = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "far", "pin": "0000"})
        assert wrong.status_code == 401 and wrong.json == right.json
    far = db.session.get(User, world["far"].id)
    assert far.pin_failures == 0 and far.pin_locked_until is None


def test_sign_in_without_a_pin_or_password_is_refused(at_kiosk):
    response = at_kiosk.call("POST", "/kiosk/sign-in", {"username": "liang"})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"


def test_staff_password_counts_and_a_pin_alongside_is_ignored(app, at_kiosk):
    signed_in(app, at_kiosk, username="wang", pin="0000", password=PASSWORD)


def test_scope_names_only_existing_api_endpoints(app):
    names = {rule.endpoint.removeprefix("api.") for rule in app.url_map.iter_rules()}
    assert KIOSK_SCOPE <= names
