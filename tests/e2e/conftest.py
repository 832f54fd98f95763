"""Browser tests: the real server in a child process, Debian's Chromium through Playwright."""
import os
import shutil
import sqlite3
from contextlib import closing

import pytest
import requests

from tests.services import ServerProcess

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e needs the browser, and gets a second try: CI has now and
    then failed one of them, another each time, and no cause is known yet (README, "Tests").
    A failed try is still printed, with what its pages showed, under "rerun test summary
    info"."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test reports what each of its pages showed and what the server
    printed last: a timeout alone does not say whether the page was signed out, an error or
    offline. (Sections of the failure itself, so that a retried try shows them too.)"""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or not hasattr(report.longrepr, "addsection"):
        return
    for number, context in enumerate(getattr(item.funcargs.get("new_context"), "contexts", [])):
        report.longrepr.addsection(f"context {number}: its pages, failed requests, errors",
                                   "\n".join(context.journal[-40:]))
        for page in context.pages:
            report.longrepr.addsection(f"context {number}: page {page.url}", _page_text(page))
    server = item.funcargs.get("server")
    if server is not None and server.log is not None:
        report.longrepr.addsection("server output, last lines", _server_lines(server.output()))


def _server_lines(output, keep=40):
    """The server's last ``keep`` lines but its static files and socket polls."""
    lines = [line for line in output.splitlines()
             if "[werkzeug]" not in line and "/static/" not in line]
    return "\n".join(lines[-keep:])


def _page_text(page):
    """The visible text of ``page``, or why it could not be read."""
    try:
        return page.inner_text("body", timeout=2_000)[:3000]
    except Exception as error:  # a closed or crashed page still gets its line in the report
        return f"(unreadable: {error})"


def server_env(database):
    """The environment of an e2e server on the SQLite file ``database``."""
    return {"DATABASE_URL": f"sqlite:///{database}", "SEED_DEMO": "0",
            "SECRET_KEY": "e2e-secret", "RATELIMIT_ENABLED": "0"}


@pytest.fixture(scope="session")
def admin_database(tmp_path_factory):
    """A migrated SQLite file with the admin account, made once per process by the CLI a
    newcomer runs (``create-admin`` migrates first): a command's process costs seconds."""
    database = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    ServerProcess(server_env(database)).cli("create-admin", "admin", "--password",
                                            "admin-password")
    # The command may exit with its last writes still in the -wal file: fold them in.
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database


@pytest.fixture
def server(tmp_path, admin_database):
    """A fresh Share Hut server on its own copy of that file (``app.py`` still migrates on
    start: nothing is left to do)."""
    database = tmp_path / "e2e.sqlite3"
    shutil.copyfile(admin_database, database)
    proc = ServerProcess(server_env(database))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """``new_context(viewport=PHONE)`` → a fresh browser context, closed after the test."""
    contexts = []

    def make(viewport=PHONE, **kwargs):
        context = browser.new_context(viewport=viewport, locale="zh-CN", **kwargs)
        context.set_default_timeout(10_000)
        _keep_journal(context)
        contexts.append(context)
        return context

    make.contexts = contexts  # for the failure report above
    yield make
    for context in contexts:
        context.close()


def _keep_journal(context):
    """Note on ``context.journal`` each page it loaded (and whether through the service
    worker), where each of its pages went, each request that failed and each script error,
    for the failure report."""
    context.journal = journal = []

    def loaded(response):
        if response.request.resource_type == "document":
            worker = " (through the service worker)" if response.from_service_worker else ""
            journal.append(f"{response.status} {response.request.method} {response.url}{worker}")

    def failed(request):
        # a page left mid-request aborts its fetches and socket polls: only that of a page
        # itself says something
        if request.failure != "net::ERR_ABORTED" or request.resource_type == "document":
            journal.append(f"failed {request.method} {request.url}: {request.failure}")

    def opened(page):
        page.on("framenavigated", lambda frame: frame == page.main_frame and journal.append(
            f"now at {frame.url}"))

    context.on("page", opened)
    context.on("response", loaded)
    context.on("requestfailed", failed)
    context.on("weberror", lambda error: journal.append(f"script error: {error.error}"))
    context.on("console", lambda message: message.type == "error" and journal.append(
        f"console error: {message.text}"))


class Api:
    """A bearer-token API client against the live server (to set the scene quickly)."""

    def __init__(self, base, username=None, password=None):
        self.base = base + "/api/v1"
        self.headers = {}
        if username:
            token = self.post("/auth/tokens", {"username": username, "password": password})
            self.headers["Authorization"] = f"Bearer {token['token']}"

    def call(self, method, path, body=None):
        response = requests.request(method, self.base + path, json=body, headers=self.headers,
                                    timeout=10)
        assert response.status_code < 400, (path, response.status_code, response.text)
        return response.json() if response.content else None

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None):
        return self.call("POST", path, body)


@pytest.fixture
def live_api(server):
    """``live_api(username, password)`` → Api; ``live_api()`` is anonymous."""
    return lambda username=None, password=None: Api(server.url, username, password)


@pytest.fixture
def community(server, live_api):
    """A community with building B (one unit) and a staff member ``staff``/``staff-password``."""
    admin = live_api("admin", "admin-password")
    community = admin.post("/communities", {"name": "岭南社区"})
    staff = live_api().post("/auth/register", {"username": "staff", "password": "staff-password",
                                               "display_name": "社工小林"})
    admin.post(f"/communities/{community['id']}/staff", {"user_id": staff["id"]})
    staff_api = live_api("staff", "staff-password")
    building = staff_api.post(f"/communities/{community['id']}/buildings",
                              {"name": "B", "lat": 23.0215, "lon": 113.115})
    unit = staff_api.post(f"/buildings/{building['id']}/units",
                          {"number": "302", "floor_area_m2": "68.90"})
    return {"community": community, "building": building, "unit": unit, "staff": staff_api}
