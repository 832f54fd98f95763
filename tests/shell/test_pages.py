"""The shell: pages in both languages, PWA files, health, security headers and cookies."""
import pytest

from tests.factories import PASSWORD, make_staff, make_user


def sign_in(client, username):
    """Sign in through the page form."""
    token = client.get("/login").text.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})


def test_welcome_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    assert "邻里互助" in page.text
    token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    switched = client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert switched.status_code == 302
    cookie = switched.headers["Set-Cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    english = client.get("/")
    assert '<html lang="en">' in english.text and "Neighbours helping neighbours" in english.text


def test_language_switch_refuses_open_redirects(client):
    token = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post("/lang", data={"lang": "en", "next": "//evil.example/",
                                          "csrf_token": token})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/offline"])
def test_pages_carry_security_headers_and_csrf_meta(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert 'name="csrf-token"' in response.text


def test_session_cookie_is_httponly_and_samesite(client, db):
    make_user("chen")
    sign_in(client, "chen")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("path", ["/me", "/staff/", "/staff/verify"])
def test_private_pages_send_strangers_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_pages_are_for_staff_only(client, db):
    make_user("chen")
    sign_in(client, "chen")
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/verify").status_code == 403


def test_staff_pages_render_for_staff(client, db):
    staff = make_staff(username="lin")
    sign_in(client, "lin")
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/verify").status_code == 200
    community_id = next(iter(__import__("mutualaid.accounts.domain", fromlist=["x"])
                             .staff_community_ids(staff)))
    assert client.get(f"/staff/communities/{community_id}").status_code == 200


def test_manifest_is_installable(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.json
    assert body["start_url"] == "/" and body["display"] == "standalone" and body["name"]
    for icon in body["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
        size = int.from_bytes(image.data[16:20], "big")
        assert icon["sizes"] == f"{size}x{size}"


def test_service_worker_is_served_from_the_root(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.mimetype
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert "/offline" in worker.text


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok",
                                                              "checks": {"database": "ok"}}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "text/html" in response.content_type
