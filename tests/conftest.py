"""Fixtures: an app on a real SQLite file, clients, and small factories (see tests/factories)."""
import pytest

from mutualaid import create_app
from mutualaid.config import TestingConfig
from mutualaid.extensions import db as _db
from tests.factories import ApiClient


@pytest.fixture
def app(tmp_path):
    """The app on a fresh SQLite file (schema from the models; migrations have their own test),
    with an app context pushed for the whole test."""
    app = create_app(TestingConfig(tmp_path))
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


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
