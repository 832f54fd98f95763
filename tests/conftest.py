"""Fixtures: an app on a real SQLite file, clients, and small factories (see tests/factories)."""
import sys

import pytest
from flask.testing import FlaskClient

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db as _db
from tests.factories import ApiClient
from tests.services import POSTGRES_URL, create_worker_database, require_postgres


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


@pytest.fixture
def app(tmp_path):
    """The app on a fresh SQLite file (schema from the models; migrations have their own test),
    with an app context pushed for the whole test."""
    app = create_app(TestingConfig(tmp_path))
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
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
