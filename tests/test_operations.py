"""Operations: request ids, 503 when the database cannot take a write, 429 on auth floods."""
import json
import logging
import os
import select
import sqlite3
from contextlib import contextmanager

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db as _db
from mutualaid.core.logs import JsonFormatter, LineWriter
from tests.factories import make_user


def test_every_response_carries_a_request_id(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "proxy-1234-abcd"})
    assert echoed.headers["X-Request-ID"] == "proxy-1234-abcd"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert forged.headers["X-Request-ID"] != "<script>"


def test_request_log_has_no_secrets(client, caplog):
    make_user("chen")
    with caplog.at_level("INFO", logger="mutualaid.requests"):
        client.post("/api/v1/auth/tokens?token=leak", json={"username": "chen", "password": "p4ss-word"})
    record = next(r for r in caplog.records if r.name == "mutualaid.requests")
    assert record.fields["path"] == "/api/v1/auth/tokens" and record.fields["status"] == 401
    assert "p4ss-word" not in caplog.text and "leak" not in caplog.text


def _read_lines(fd, timeout):
    """The whole lines readable from ``fd``, waiting at most ``timeout`` seconds for the first
    (a deadline, not a measurement: how fast lines come is measured by bench/logs.py)."""
    data = b""
    while select.select([fd], [], [], timeout)[0]:
        data += os.read(fd, 65536)
        timeout = 0.05
    return [json.loads(line)["message"] for line in data.decode().splitlines()]


@contextmanager
def line_writer(interval):
    """A logger writing through a LineWriter into a pipe; yields (logger, handler, read end)."""
    read_end, write_end = os.pipe()
    handler = LineWriter(write_end, interval=interval)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("tests.linewriter")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield log, handler, read_end
    finally:
        log.removeHandler(handler)
        os.close(read_end)
        os.close(write_end)


def test_log_lines_wait_in_the_queue_until_a_warning_or_a_flush_writes_them():
    with line_writer(interval=3600) as (log, handler, read_end):  # the thread sleeps throughout
        for number in range(200):  # more than one write of PIPE_BUF holds
            log.info("line %d", number)
        assert not select.select([read_end], [], [], 0)[0]  # queued, not yet written
        log.warning("trouble")  # written at once, after the lines queued before it, whole
        assert _read_lines(read_end, 10) == [f"line {number}" for number in range(200)] + [
            "trouble"]

        log.info("at exit")
        handler.flush()  # what logging.shutdown() calls
        assert _read_lines(read_end, 0) == ["at exit"]


def test_the_writer_thread_writes_queued_lines_on_its_own():
    with line_writer(interval=0.05) as (log, _handler, read_end):
        log.info("queued")
        assert _read_lines(read_end, 10) == ["queued"]


def test_locked_database_answers_503_and_changes_nothing(tmp_path):
    config = TestingConfig(tmp_path)
    config.SQLITE_BUSY_TIMEOUT = 0.1
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
        client = app.test_client()
        holder = sqlite3.connect(tmp_path / "test.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            response = client.post("/api/v1/auth/register", json={
                "username": "new", "password": "long enough", "display_name": "New"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503
        assert response.json["error"]["code"] == "unavailable"
        assert response.headers["Retry-After"] == "5"
        count = client.post("/api/v1/auth/tokens", json={"username": "new", "password": "long enough"})
        assert count.status_code == 401  # the refused registration left nothing behind
        _db.engine.dispose()


def test_no_free_pooled_connection_answers_503_and_changes_nothing(tmp_path):
    """What a deploy instance answers when every pooled connection stays busy too long."""
    config = TestingConfig(tmp_path)
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.1}
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        _db.session.remove()
        client = app.test_client()
        with _db.engine.connect():  # the only connection, held by someone else
            response = client.post("/api/v1/auth/register", json={
                "username": "new", "password": "long enough", "display_name": "New"})
        assert response.status_code == 503
        assert response.json["error"]["code"] == "unavailable"
        count = client.post("/api/v1/auth/tokens",
                            json={"username": "new", "password": "long enough"})
        assert count.status_code == 401  # the refused registration left nothing behind
        _db.engine.dispose()


def test_auth_floods_get_429_in_the_error_format(tmp_path):
    config = TestingConfig(tmp_path)
    config.RATELIMIT_ENABLED = True
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        statuses = [client.post("/api/v1/auth/tokens", json={"username": "x", "password": "y"})
                    for _ in range(21)]
        assert [r.status_code for r in statuses[:20]] == [401] * 20
        assert statuses[20].status_code == 429
        assert statuses[20].json["error"]["code"] == "rate_limited"
        _db.engine.dispose()
