"""Fixtures: an app on a real SQLite file, clients, and small factories (see tests/factories)."""
import shutil
import sys

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.routing.rules import Rule

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db as _db
from tests.factories import ApiClient
from tests.services import POSTGRES_URL, create_worker_database, require_postgres


def compile_url_builders_once():
    """Werkzeug compiles two small Python functions per URL rule (what ``url_for`` calls) for
    every app, two thirds of what ``create_app`` costs; the suite makes an app per test from
    the same rules, so each function is compiled once and bound to every app's rule as before
    (it reads the rule it is bound to; the key holds all the compiled code depends on)."""
    compile_builder = Rule._compile_builder
    builders = {}

    def compile_once(rule, append_unknown=True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())),
               tuple((name, type(c)) for name, c in rule._converters.items()), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    Rule._compile_builder = compile_once


compile_url_builders_once()


def pytest_sessionstart(session):
    """Under pytest-xdist, each worker makes its own PostgreSQL database (tests/services.py)."""
    create_worker_database()


def pytest_collection_modifyitems(items):
    """Mark ``server`` the tests that start a real server (tests/services.py's ServerProcess,
    in their module or in one of their fixtures'): ``make test`` runs those in deploy mode too."""
    for item in items:
        definitions = getattr(item, "_fixtureinfo", None)
        modules = {item.module.__name__} | {
            defs[-1].func.__module__ for defs in
            (definitions.name2fixturedefs.values() if definitions else ()) if defs}
        if any("ServerProcess" in vars(sys.modules.get(name, object)) for name in modules):
            item.add_marker(pytest.mark.server)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: the test's own context (which
    factories use) would otherwise be reused, sharing ``g`` and the session across requests.
    The test's pending work is committed first (SQLite lets one writer in at a time), and its
    objects are expired afterwards so they show what the request changed."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read and close file responses at once
        _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory):
    """A SQLite file with the models' tables and no rows, built once per process: each test
    gets a copy (creating ~45 tables and their indexes per test cost more than the test)."""
    folder = tmp_path_factory.mktemp("schema")
    app = create_app(TestingConfig(folder))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()  # the last connection closed writes the log back into the file
        return sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


@pytest.fixture
def app(tmp_path, empty_database):
    """The app on a fresh SQLite file (schema from the models; migrations have their own test),
    with an app context pushed for the whole test."""
    config = TestingConfig(tmp_path)
    shutil.copyfile(empty_database, sa.make_url(config.SQLALCHEMY_DATABASE_URI).database)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def postgres_app(tmp_path):
    """Like ``app``, on a fresh schema in the PostgreSQL ``test`` database (POSTGRES_URL, a
    database per worker under pytest-xdist)."""
    require_postgres()
    config = TestingConfig(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = POSTGRES_URL
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


class StoppedClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, start=1_000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        """Move the clock on by ``seconds``."""
        self.now += seconds


@pytest.fixture
def clock(app):
    """The app's monotonic clock (mutualaid/core/clock.py), stopped; ``clock.advance(s)`` moves it
    for this app only, not for the process."""
    app.config["MONOTONIC_CLOCK"] = StoppedClock()
    return app.config["MONOTONIC_CLOCK"]


class SetClock:
    """A wall clock (aware UTC datetimes) that shows the real time until it is set."""

    def __init__(self):
        self.now = None

    def __call__(self):
        return self.now or utcnow()

    def set(self, moment):
        """From now on, the time is ``moment``."""
        self.now = moment


@pytest.fixture
def wall_clock(app):
    """The app's wall clock (mutualaid/core/clock.py ``now``); ``wall_clock.set(t)`` moves it
    for this app only, not for the process."""
    app.config["WALL_CLOCK"] = SetClock()
    return app.config["WALL_CLOCK"]


@pytest.fixture
def db(app):
    """The database session of the test's app context."""
    return _db


@pytest.fixture
def client(app):
    """Flask's test client (cookie sessions)."""
    return app.test_client()


@pytest.fixture
def api(app):
    """``api(user)`` → a client that calls /api/v1 with that user's bearer token (or none)."""
    return lambda user=None: ApiClient(app.test_client(), user)


@pytest.fixture
def runner(app):
    """Flask's CLI runner."""
    return app.test_cli_runner()
