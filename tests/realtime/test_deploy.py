"""The instance of deploy/ (gunicorn's gevent worker) on PostgreSQL, whatever TEST_SERVER_MODE:
a socket costs no thread, and a request waiting on PostgreSQL leaves the others running."""
import threading
from pathlib import Path

import psycopg
import pytest
import requests
import sqlalchemy as sa

from tests.realtime.listener import Listener
from tests.realtime.scene import neighbourhood, post_order
from tests.services import ServerProcess, private_postgres_database

pytestmark = pytest.mark.postgres
SOCKETS = 60


@pytest.fixture(scope="module")
def instance():
    """One deploy instance on a database of its own, with an administrator."""
    with private_postgres_database("sharehut_deploy") as url:
        server = ServerProcess({"DATABASE_URL": url, "SEED_DEMO": "0", "NOTIFY_WORKER": "0",
                                "SECRET_KEY": "deploy-secret", "RATELIMIT_ENABLED": "0"},
                               mode="deploy").start()
        try:
            server.cli("create-admin", "admin", "--password", "admin-password")
            yield server, url
        finally:
            server.stop()


def threads_of(pid):
    """How many OS threads the process ``pid`` runs."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines()
                    if line.startswith("Threads:")))


def test_sockets_are_greenlets_not_threads(instance):
    server, _url = instance
    scene = neighbourhood(server.url)
    first = Listener(server.url, scene["helper"].token)
    before = threads_of(server.worker_pid())
    listeners = [first] + [Listener(server.url, scene["helper"].token)
                           for _ in range(SOCKETS - 1)]
    try:
        order = post_order(scene["requester"])
        for listener in listeners:  # every socket is live, in the community room
            listener.wait_for(lambda e, p: e == "order.created" and p["id"] == order["id"])
        assert threads_of(server.worker_pid()) - before < SOCKETS // 4
    finally:
        for listener in listeners:
            listener.close()


def _wait_until_blocked(database_url, timeout=15):
    """Wait until some PostgreSQL backend waits on a lock (the request under test)."""
    url = sa.make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as watch:
        for _ in range(timeout * 10):
            waiting = watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                    "AND wait_event_type = 'Lock'", (url.database,)).fetchone()
            if waiting[0]:
                return
            threading.Event().wait(0.1)
    raise AssertionError("the request never waited on the lock")


def test_a_request_waiting_on_postgresql_does_not_stop_the_others(instance):
    server, url = instance
    scene = neighbourhood(server.url)
    order = post_order(scene["requester"])
    plain = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    answers = {}
    with psycopg.connect(plain) as locker:
        locker.execute("SELECT id FROM orders WHERE id = %s FOR UPDATE", (order["id"],))

        def accept():
            answers["accept"] = requests.post(
                f"{server.url}/api/v1/orders/{order['id']}/accept", timeout=30,
                headers={"Authorization": f"Bearer {scene['helper'].token}"}).status_code

        waiting = threading.Thread(target=accept)
        waiting.start()
        _wait_until_blocked(url)
        # The one worker process still serves others while that request waits (a driver
        # blocking the process would leave these unanswered until the lock goes).
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
        board = scene["helper"].get(f"/communities/{scene['community']['id']}/board")
        assert order["id"] in [item["id"] for item in board["items"]]
        assert "accept" not in answers
        locker.rollback()
    waiting.join(timeout=30)
    assert answers["accept"] == 200
