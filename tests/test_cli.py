"""CLI commands on a fresh database (they migrate it first): create-admin, seed-demo, backup."""
import sqlite3

import pytest
import sqlalchemy as sa

from mutualaid import create_app
from mutualaid.accounts.models import User
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db as _db
from mutualaid.places.models import Unit


@pytest.fixture
def fresh(tmp_path):
    """An app on an empty SQLite file: no tables until a command migrates it."""
    app = create_app(TestingConfig(tmp_path))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def runner(fresh):
    return fresh.test_cli_runner()


@pytest.fixture
def scalar(fresh):
    """Read one value, then end the transaction (SQLite lets one writer in at a time)."""

    def read(select):
        value = _db.session.scalar(select)
        _db.session.commit()
        return value

    return read


def test_create_admin_on_a_fresh_database(runner, scalar):
    result = runner.invoke(args=["create-admin", "boss", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert scalar(sa.select(User.role).where(User.username == "boss")) == "admin"
    again = runner.invoke(args=["create-admin", "boss", "--password", "a long password"])
    assert again.exit_code != 0 and "用户名不可用" in again.output


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "boss", "--password", "short"])
    assert result.exit_code != 0 and "password" in result.output


def test_seed_demo_prints_logins_and_runs_once(runner, scalar):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "staff" in result.output and "sharehut-demo" in result.output
    assert scalar(sa.select(sa.func.count()).select_from(Unit)) == 58  # Lingnan 56, Lianhua (appeals demo) 2
    assert "already exists" in runner.invoke(args=["seed-demo"]).output


def test_backup_copies_the_live_database(runner, tmp_path):
    runner.invoke(args=["seed-demo"])
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        # 8, and the appeals demo's street staff, grid worker, staff2 and two residents
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == 13
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0  # never overwrites
