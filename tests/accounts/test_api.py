"""Accounts API: register, tokens, /me, verification, flags, PINs, staff, CSRF rules."""
import pytest

from mutualaid.accounts.models import User
from tests.factories import PASSWORD, make_community, make_staff, make_unit, make_user

def csrf_token(client, path="/login"):
    """The CSRF token a page of ``path`` carries in its meta tag."""
    return client.get(path).text.split('name="csrf-token" content="')[1].split('"')[0]


def sign_in(client, username):
    """Sign in through the page form; returns the fresh CSRF token of the new session."""
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return csrf_token(client, "/me")


ME_KEYS = {"id", "username", "display_name", "phone", "role", "verified", "vulnerable", "vetted",
           "unit", "relation", "has_pin"}


def test_register_answers_201_with_the_me_shape(api):
    response = api().post("/auth/register", {"username": "liang", "password": "long enough",
                                              "display_name": "梁姨", "phone": "13800000002"})
    assert response.status_code == 201
    assert ME_KEYS <= set(response.json)
    assert response.json["verified"] is False and response.json["unit"] is None


def test_tokens_sign_in_and_revoke(api, db):
    make_user("chen")
    anonymous = api()
    response = anonymous.post("/auth/tokens", {"username": "chen", "password": PASSWORD})
    assert response.status_code == 201 and response.json["user"]["username"] == "chen"
    headers = {"Authorization": f"Bearer {response.json['token']}"}
    assert anonymous.client.get("/api/v1/me", headers=headers).status_code == 200
    assert anonymous.client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    after = anonymous.client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401 and after.json["error"]["code"] == "unauthorized"


def test_bad_credentials_answer_401_invalid_credentials(api):
    make_user("chen")
    for body in ({"username": "chen", "password": "nope"}, {"username": "x", "password": "y"}):
        response = api().post("/auth/tokens", body)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "invalid_credentials"


def test_me_shows_unit_and_community(api):
    unit = make_unit(number="1203")
    user = make_user(verified=True, unit=unit, relation="owner")
    me = api(user).get("/me").json
    assert me["verified"] is True and me["relation"] == "owner"
    assert me["unit"] == {"id": unit.id, "number": "1203", "building_id": unit.building_id,
                          "community_id": unit.building.community_id}


def test_staff_verification_queue_and_verify(api):
    unit = make_unit()
    staff = make_staff(unit.building.community)
    waiting = make_user("waiting")
    queue = api(staff).get("/users?verified=false").json
    assert [u["username"] for u in queue["items"]] == ["waiting"]
    response = api(staff).post(f"/users/{waiting.id}/verify",
                               {"unit_id": unit.id, "relation": "family"})
    assert response.status_code == 200
    assert response.json["verified"] is True and response.json["relation"] == "family"


def test_admin_adds_staff_effective_for_existing_tokens(api):
    community = make_community()
    user = make_user()
    client = api(user)
    assert client.get("/users").status_code == 403
    assert api(make_user(role="admin")).post(f"/communities/{community.id}/staff",
                                             {"user_id": user.id}).status_code == 200
    assert client.get("/users").status_code == 200


@pytest.mark.parametrize(("role", "status"), [("resident", 403), ("staff", 403), ("admin", 201)])
def test_only_admin_creates_communities(api, role, status):
    actor = make_staff() if role == "staff" else make_user(role=role)
    assert api(actor).post("/communities", {"name": f"C-{role}"}).status_code == status


def test_flags_and_pins(api, db):
    unit = make_unit()
    staff = make_staff(unit.building.community)
    resident = make_user(verified=True, unit=unit)
    flagged = api(staff).patch(f"/users/{resident.id}/flags", {"vulnerable": True})
    assert flagged.json["vulnerable"] is True and flagged.json["vetted"] is False
    assert api(staff).put(f"/users/{resident.id}/pin", {"pin": "2468"}).status_code == 204
    assert api(resident).put("/me/pin", {"pin": "135790"}).status_code == 204
    assert api(resident).get("/me").json["has_pin"] is True


def test_cookie_session_api_writes_need_the_csrf_token(app, client, db):
    make_user("chen")
    token = sign_in(client, "chen")
    without = client.put("/api/v1/me/pin", json={"pin": "1234"})
    assert without.status_code == 400 and without.json["error"]["code"] == "csrf_failed"
    with_token = client.put("/api/v1/me/pin", json={"pin": "1234"},
                            headers={"X-CSRFToken": token})
    assert with_token.status_code == 204


def test_bearer_requests_ignore_the_cookie_session(app, client, db):
    make_user("chen")
    sign_in(client, "chen")
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_login_page_rejects_without_csrf_and_with_wrong_password(client, db):
    make_user("chen")
    assert client.post("/login", data={"username": "chen", "password": PASSWORD}).status_code == 400
    token = csrf_token(client)
    wrong = client.post("/login", data={"username": "chen", "password": "x", "csrf_token": token})
    assert wrong.status_code == 400 and "aria-invalid" not in wrong.text.split("f-username")[0]


def test_register_page_creates_account_and_signs_in(client, db):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={
        "username": "mai", "password": "long enough", "display_name": "麦小姐", "phone": "",
        "csrf_token": token})
    assert response.status_code == 302
    assert db.session.query(User).filter_by(username="mai").one().phone is None
    assert client.get("/me").status_code == 200


def test_logout_clears_the_session(client, db):
    make_user("chen")
    token = sign_in(client, "chen")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/me").status_code == 302


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_flags_take_json_booleans_only(api, value):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    response = api(make_staff(unit.building.community)).patch(f"/users/{resident.id}/flags",
                                                              {"vulnerable": value})
    assert response.status_code == 400 and "vulnerable" in response.json["error"]["fields"]
