"""Database engine behaviour: SQLite tuned for concurrent writers, helpers shared by features."""
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from mutualaid.core.concurrency import under_gevent
from mutualaid.core.errors import NotFound


@sa.event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    """WAL and foreign keys; transactions are begun by us (see below). The busy timeout is
    the driver's ``timeout`` (Config sets it)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@sa.event.listens_for(Engine, "begin")
def _begin_immediate(conn):
    """Take the write lock when the transaction starts, so two writers queue on the busy
    timeout instead of failing with "database is locked" when a reader upgrades."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def engine_options(config):
    """SQLAlchemy engine options for the configured database (SQLite gets its busy timeout)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options["connect_args"] = {"timeout": config["SQLITE_BUSY_TIMEOUT"]}
        if under_gevent():
            # SQLite's busy wait blocks the whole process, and with it the greenlet holding
            # the lock: greenlets take turns on one connection instead (a cooperative wait).
            options.update(pool_size=1, max_overflow=0,
                           pool_timeout=config["SQLITE_BUSY_TIMEOUT"])
    elif under_gevent():
        # Thousands of greenlets (a burst of socket connects) wait for a pooled connection
        # rather than each opening an overflow one, closed again on return: opening a
        # PostgreSQL connection costs milliseconds of CPU on both sides.
        options.setdefault("pool_size", config["DATABASE_POOL_SIZE"])
        options.setdefault("max_overflow", 0)
    return options


def upsert(table):
    """An INSERT into ``table`` (a model or a table) in the session's dialect, SQLite's or
    PostgreSQL's: both take ``on_conflict_do_update`` / ``on_conflict_do_nothing``, so one
    statement settles a race that a read-then-insert would lose."""
    from mutualaid.core.extensions import db

    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    return dialects[db.session.get_bind().dialect.name](table)


def utcnow():
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def get_or_404(model, ident, message=None):
    """Load a row by primary key or raise NotFound."""
    from flask_babel import gettext as _

    from mutualaid.core.extensions import db

    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(message or _("Not found."))
    return row
