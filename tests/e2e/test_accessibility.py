"""axe-core on every page, in both languages, at phone size: no serious or critical issue."""
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE
from tests.services import ServerProcess

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PASSWORD = "sharehut-demo"  # the demo logins
# (who is signed in, path); the demo community is seeded, so ids 1 exist.
PAGES = [
    (None, "/"), (None, "/login"), (None, "/register"), (None, "/offline"),
    ("liang", "/"), ("liang", "/me"), ("liang", "/orders"), ("liang", "/orders/new"),
    ("liang", "/skills"), ("he", "/skills"),
    ("staff", "/staff/"), ("staff", "/staff/verify"), ("staff", "/staff/communities/1"),
    ("staff", "/staff/buildings/1"), ("staff", "/staff/reports"), ("staff", "/staff/visits"),
    ("he", "/orders/1"), ("mai", "/orders/2"), ("staff", "/orders/1"), ("staff", "/orders/new"),
    ("liang", "/votes/"), ("liang", "/votes/1"), ("liang", "/votes/1/result"),
    ("liang", "/votes/1/notice"), ("staff", "/votes/new"), ("staff", "/votes/1"),
    ("staff", "/votes/1/record"), ("staff", "/votes/1/pending"),
    ("liang", "/services/"), ("liang", "/services/1"), ("liang", "/services/mine"),
    ("staff", "/services/staff"), ("staff", "/services/sessions/1/bookings"),
    ("staff", "/staff/kiosks"),
]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """One server with the demo community for the whole module (pages are only read)."""
    folder = tmp_path_factory.mktemp("a11y")
    proc = ServerProcess({"DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
                          "SEED_DEMO": "1", "SECRET_KEY": "a11y", "RATELIMIT_ENABLED": "0"})
    proc.start()
    yield proc
    proc.stop()


def serious_violations(page):
    """Run axe-core in the page; the serious and critical violations, summarised."""
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize(("username", "path"), PAGES)
def test_page_has_no_serious_accessibility_violations(browser, demo_server, username, path, lang):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    context.add_cookies([{"name": "lang", "value": lang, "url": demo_server.url}])
    try:
        page = context.new_page()
        if username:
            page.goto(demo_server.url + "/login")
            page.fill("#f-username", username)
            page.fill("#f-password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login" not in url)
        response = page.goto(demo_server.url + path)
        assert response.status == 200
        assert serious_violations(page) == []
    finally:
        context.close()
