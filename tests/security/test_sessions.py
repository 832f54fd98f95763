"""Cookie sessions: CSRF on every state change, fixation, sign-out, rate limits on the auth
routes, no user enumeration, and no secret in any log line."""
import re

import pytest

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from tests.factories import PASSWORD, make_staff, make_user
from tests.security.test_authorization import TABLE, fill
from tests.security.world import PIN, World
from tests.snapshots import assert_unchanged, snapshot

PAGE_POSTS = ["/login", "/register", "/logout", "/lang"]


def csrf_token(client, path="/login"):
    """The CSRF token a page hands to its forms (meta tag)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, username, password=PASSWORD):
    """Sign in through the login form, as a browser does; returns the CSRF token."""
    token = csrf_token(client)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_token(client, "/me")


def session_cookie(client):
    """The raw value of the session cookie."""
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


@pytest.fixture(scope="module")
def built_world(tmp_path_factory):
    """The authorisation world, built with staff of the community signed in by cookie (the
    session is in the cookie and the database, so restoring both restores it)."""
    world = World(tmp_path_factory.mktemp("csrf"))
    client = world.app.test_client()
    world.token = sign_in(client, world.usernames["staff"], world.password)
    world.cookie = session_cookie(client)
    world.keep()
    return world


@pytest.fixture
def world(built_world):
    """The world as built, with a new client holding the staff's session cookie."""
    built_world.restore()
    built_world.client = built_world.app.test_client()
    built_world.client.set_cookie("session", built_world.cookie)
    return built_world


CHANGES = sorted({(method, path, repr(body)) for method, path, body, _row in TABLE
                  if method != "GET"})
BODIES = {(method, path, repr(body)): body for method, path, body, _row in TABLE}


@pytest.mark.parametrize("method, path, body_key", CHANGES, ids=[f"{m} {p}" for m, p, _ in CHANGES])
def test_cookie_state_changes_need_the_csrf_token(world, method, path, body_key):
    body = fill(BODIES[method, path, body_key], world)
    url = "/api/v1" + fill(path, world)
    before = snapshot(world.app)
    refused = world.client.open(url, method=method, json=body)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    assert_unchanged(before, snapshot(world.app))
    passed = world.client.open(url, method=method, json=body,
                               headers={"X-CSRFToken": world.token})
    assert passed.json is None or passed.json.get("error", {}).get("code") != "csrf_failed"


@pytest.mark.parametrize("path", PAGE_POSTS)
def test_page_posts_need_the_csrf_token(client, path):
    user = make_user("chen")
    assert client.post("/login", data={"username": "chen", "password": PASSWORD}).status_code \
        == 400  # the login form itself is protected (login CSRF)
    sign_in(client, "chen")
    cookie = session_cookie(client)
    response = client.post(path, data={"username": "chen", "password": PASSWORD, "lang": "en",
                                       "display_name": "X"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf_failed"
    assert session_cookie(client) == cookie and user.locale is None
    assert client.get("/api/v1/me").status_code == 200  # still signed in: nothing happened


def test_bearer_requests_need_no_csrf(client):
    from mutualaid.accounts import domain

    user = make_user("chen")
    sign_in(client, "chen")  # a cookie in the jar does not matter to a bearer request
    bearer = {"Authorization": "Bearer " + domain.issue_token(user)}
    response = client.put("/api/v1/me/skills", json={"tags": ["repair"]}, headers=bearer)
    assert response.status_code == 200


def test_anonymous_api_calls_need_no_csrf_but_act_as_nobody(client):
    assert client.post("/api/v1/auth/tokens", json={"username": "x", "password": "y"}) \
        .status_code == 401
    assert client.put("/api/v1/me/pin", json={"pin": "1234"}).status_code == 401


def test_sign_in_starts_a_new_session(client):
    make_user("chen")
    client.get("/login")
    client.set_cookie("lang", "en")
    before = session_cookie(client)
    assert before is not None  # the anonymous session holds the CSRF secret
    sign_in(client, "chen")
    after = session_cookie(client)
    assert after != before
    client.set_cookie("session", before)  # a session planted before sign-in stays anonymous
    assert client.get("/api/v1/me").status_code == 401
    client.set_cookie("session", after)
    assert client.get("/api/v1/me").json["username"] == "chen"


def test_sign_out_makes_the_old_cookie_useless(client):
    user = make_user("chen")
    token = sign_in(client, "chen")
    stolen = session_cookie(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    client.set_cookie("session", stolen)  # replaying the cookie from before sign-out
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/me").status_code == 302
    assert user.session_version == 1
    sign_in(client, "chen")  # signing in again works, with a new cookie
    assert client.get("/api/v1/me").status_code == 200


def test_password_change_ends_cookie_sessions(client):
    from mutualaid.accounts import domain

    user = make_user("chen")
    sign_in(client, "chen")
    domain.change_password(user, PASSWORD, "a new long password")
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_users_cookie_stops_working(client):
    user = make_user("chen")
    sign_in(client, "chen")
    user.active = False
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("forged", ["1", "x.0", "1.x", "99999999999999999999.0", ""])
def test_forged_session_ids_sign_in_nobody(client, forged):
    make_user("chen")
    with client.session_transaction() as session:
        session["_user_id"] = forged
    assert client.get("/api/v1/me").status_code == 401


def test_cookies_are_httponly_and_samesite_lax(client):
    make_user("chen")
    sign_in(client, "chen")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_token(client, "/me")})
    lang = client.get_cookie("lang")
    assert lang.http_only and lang.same_site == "Lax"


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


# --- rate limits ---------------------------------------------------------------------------

@pytest.fixture
def limited(tmp_path):
    """A world with rate limits on (as in production). The limiter is one object shared by
    every app of the test run: it is switched off again afterwards, as tests expect."""
    from mutualaid.core.extensions import limiter

    def enable(config):
        config.RATELIMIT_ENABLED = True

    yield World(tmp_path, config_hook=enable)
    limiter.enabled = False


def login_form(client):
    return {"username": "nobody", "password": "wrong", "csrf_token": csrf_token(client)}


# (path, how many pass, request) — /auth/tokens is in tests/test_operations.py
FLOODS = [
    ("/login", 20, lambda world, c, form: c.post("/login", data=form)),
    ("/register", 20, lambda world, c, form: c.post("/register", data=form | {
        "username": "x", "display_name": "X"})),
    ("/api/v1/auth/register", 20, lambda world, c, form: c.post(
        "/api/v1/auth/register", json={"username": "x"})),
    ("/api/v1/kiosk/sign-in", 30, lambda world, c, form: c.post(
        "/api/v1/kiosk/sign-in", json={"username": "nobody", "pin": "0000"},
        headers=world.headers("kiosk"))),
]


@pytest.mark.parametrize("path, allowed, send", FLOODS, ids=[f[0] for f in FLOODS])
def test_auth_floods_get_429_in_the_error_format(limited, path, allowed, send):
    client = limited.app.test_client()
    form = login_form(client)
    answers = [send(limited, client, form).status_code for _ in range(allowed)]
    assert 429 not in answers
    flooded = send(limited, client, form)
    assert flooded.status_code == 429
    if path.startswith("/api/"):
        assert flooded.json["error"]["code"] == "rate_limited"
        assert set(flooded.json["error"]) == {"code", "message", "fields"}
    else:
        assert flooded.mimetype == "text/html"  # a page answers with the error page


# --- no user enumeration -------------------------------------------------------------------

def test_login_token_and_kiosk_answer_alike_for_unknown_users_and_wrong_secrets(world):
    client = world.app.test_client()
    tokens = [client.post("/api/v1/auth/tokens", json={"username": name, "password": "wrong"})
              for name in ("resi", "no-such-user")]
    assert [r.status_code for r in tokens] == [401, 401]
    assert tokens[0].json == tokens[1].json
    pages = []
    for name in ("resi", "no-such-user"):
        form = {"username": name, "password": "wrong", "csrf_token": csrf_token(client)}
        page = client.post("/login", data=form)
        text = re.sub(r'(value|content)="[^"]*"', "", page.get_data(as_text=True))
        pages.append((page.status_code, text))
    assert pages[0] == pages[1]
    kiosk = [client.post("/api/v1/kiosk/sign-in", json={"username": name, "pin": "0000"},
                         headers=world.headers("kiosk")) for name in ("resi", "no-such-user")]
    assert [r.status_code for r in kiosk] == [401, 401]
    assert kiosk[0].json == kiosk[1].json


def test_register_reveals_only_that_a_username_is_taken(client):
    """Registration must say a name is taken (the person has to pick another); it says
    nothing more: not whether the account is verified, staff, active or has a PIN."""
    make_user("chen", verified=True)
    make_staff(username="lin")
    answers = [client.post("/api/v1/auth/register", json={
        "username": name, "password": "long enough", "display_name": "X"}).json
        for name in ("chen", "lin")]
    assert answers[0] == answers[1]
    assert answers[0]["error"]["code"] == "username_unavailable"


# --- no secrets in logs --------------------------------------------------------------------

def test_no_password_pin_or_token_is_logged_anywhere(world, caplog):
    client = world.app.test_client()
    secrets = {"a brand new password", "730586", world.tokens["kiosk"], world.password, PIN}
    with caplog.at_level("DEBUG"):
        client.post("/api/v1/auth/register", json={
            "username": "fresh", "password": "a brand new password", "display_name": "F"})
        token = client.post("/api/v1/auth/tokens", json={
            "username": "fresh", "password": "a brand new password"}).json["token"]
        secrets.add(token)
        bearer = {"Authorization": f"Bearer {token}"}
        client.put("/api/v1/me/pin", json={"pin": "730586"}, headers=bearer)
        client.get("/api/v1/me?token=" + token)
        client.delete("/api/v1/auth/tokens/current", headers=bearer)
        client.get("/api/v1/me", headers=bearer)  # a revoked token
        sign_in(client, world.usernames["resident"], world.password)
        client.post("/login", data={"username": "resi", "password": "a brand new password"})
        client.get("/kiosk/" + world.tokens["kiosk"])
        signed = client.post("/api/v1/kiosk/sign-in", json={"username": "resi", "pin": PIN},
                             headers=world.headers("kiosk")).json["token"]
        secrets.add(signed)
        client.post("/api/v1/kiosk/sign-in", json={"username": "resi", "pin": "730586"},
                    headers=world.headers("kiosk"))
    assert len(caplog.records) > 10  # the requests (and SQL) were logged...
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for secret in secrets:
        assert secret not in logged  # ...without a secret
    with world.app.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "fresh")).pin_hash
