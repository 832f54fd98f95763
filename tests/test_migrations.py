"""Migrations build the schema the models describe, from empty, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db
from tests.services import POSTGRES_URL, require_postgres


def migrated_app(tmp_path, url):
    """An app on ``url`` with no tables of its own (migrations make them)."""
    config = TestingConfig(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = url
    return create_app(config)


def assert_upgrade_matches_models_and_downgrades(app):
    """Upgrade from empty, compare with the models, downgrade to empty again."""
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    assert_upgrade_matches_models_and_downgrades(
        migrated_app(tmp_path, f"sqlite:///{tmp_path / 'migrated.sqlite3'}"))


@pytest.mark.postgres
def test_migrations_on_postgresql(tmp_path):
    require_postgres()
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    assert_upgrade_matches_models_and_downgrades(migrated_app(tmp_path, POSTGRES_URL))


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgres)])
def test_the_board_counters_migration_counts_the_appeals_filed_before(tmp_path, database):
    from mutualaid.appeals import domain
    from mutualaid.appeals.models import AppealBoardDay
    from tests.appeals.factories import T0, appeal_in, file, make_street

    if database == "postgresql":
        require_postgres()
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    url = POSTGRES_URL if database == "postgresql" else f"sqlite:///{tmp_path / 'm.sqlite3'}"
    app = migrated_app(tmp_path, url)
    with app.app_context():
        upgrade()
        place = make_street()
        for status in ("closed", "reopened", "resolved", "rejected", "accepted"):
            appeal_in(status, place)
        domain.reject_appeal(place.staff, file(place, building=place.loose), "No", T0)
        db.session.commit()
        table = AppealBoardDay.__table__
        kept = sorted(tuple(row) for row in db.session.execute(sa.select(table)))
        db.session.remove()
        downgrade(revision="0011")
        upgrade()
        assert sorted(tuple(row) for row in db.session.execute(sa.select(table))) == kept
        assert sum(row[4] for row in kept) == 6  # received: each appeal once
        db.session.remove()
        db.engine.dispose()
