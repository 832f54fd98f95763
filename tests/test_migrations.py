"""Migrations build the schema the models describe, from empty, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.schema import CreateIndex

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db
from tests.services import POSTGRES_URL, require_postgres


def migrated_app(tmp_path, url):
    """An app on ``url`` with no tables of its own (migrations make them)."""
    config = TestingConfig(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = url
    return create_app(config)


def expression_indexes():
    """The models' indexes on SQL expressions (matching's reach grid). Alembic cannot compare
    them (SQLite does not reflect them, PostgreSQL rewrites their text), so they are checked
    by name."""
    return {index.name for table in db.metadata.tables.values() for index in table.indexes
            if any(not isinstance(part, sa.Column) for part in index.expressions)}


def index_names(connection):
    """Every index of the database, expression indexes included."""
    query = ("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
             if connection.dialect.name == "postgresql"
             else "SELECT name FROM sqlite_master WHERE type = 'index'")
    return set(connection.execute(sa.text(query)).scalars())


def assert_expression_indexes_are_the_models(connection):
    """SQLite keeps an index's definition as written: the migrated expression indexes are the
    models' to the letter (a query uses an expression index only if it writes the same)."""
    if connection.dialect.name != "sqlite":
        return
    written = dict(connection.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")).all())
    for table in db.metadata.tables.values():
        for index in table.indexes:
            if index.name in expression_indexes():
                assert written[index.name] == str(CreateIndex(index).compile(connection))


def assert_upgrade_matches_models_and_downgrades(app):
    """Upgrade from empty, compare with the models, downgrade to empty again."""
    with app.app_context():
        upgrade()
        skipped = expression_indexes()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "include_object": lambda obj, name, kind, *_: name not in skipped})
            diff = compare_metadata(context, db.metadata)
            assert skipped and skipped <= index_names(connection)
            assert_expression_indexes_are_the_models(connection)
        assert diff == []
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
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
        downgrade(revision="0012")  # undo the board counters only
        upgrade()
        assert sorted(tuple(row) for row in db.session.execute(sa.select(table))) == kept
        assert sum(row[4] for row in kept) == 6  # received: each appeal once
        db.session.remove()
        db.engine.dispose()
