"""Scale-out: two server processes sharing PostgreSQL and a Redis message queue.

Each run gets its own PostgreSQL database (created and dropped here, on the server of
TEST_POSTGRES_URL) and its own Socket.IO channel on Redis, so runs never hear each other.
"""
import subprocess
import sys
import uuid

import pytest

from tests.realtime.listener import Listener
from tests.realtime.scene import neighbourhood, post_order
from tests.services import (
    REDIS_URL, ROOT, ServerProcess, private_postgres_database, require_redis,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def database_url():
    """A fresh PostgreSQL database for this module, dropped afterwards."""
    with private_postgres_database("sharehut_scale") as url:
        yield url


@pytest.fixture(scope="module")
def workers(database_url):
    """Workers A and B: ``python app.py`` on two ports, same database, same queue channel."""
    require_redis()
    env = {"DATABASE_URL": database_url, "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
           "SOCKETIO_CHANNEL": f"sharehut-test-{uuid.uuid4().hex}", "SEED_DEMO": "0",
           "SECRET_KEY": "scale-secret", "RATELIMIT_ENABLED": "0"}
    a = ServerProcess(env).start()  # migrates the database first, then B starts on it
    b = ServerProcess(env).start()
    a.cli("create-admin", "admin", "--password", "admin-password")
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture
def listen():
    """``listen(url, token)`` → a Listener, closed after the test."""
    opened = []

    def make(url, token):
        opened.append(Listener(url, token))
        return opened[-1]

    yield make
    for listener in opened:
        listener.close()


def test_both_workers_report_healthy_database_and_queue(workers):
    import requests

    for worker in workers:
        body = requests.get(worker.url + "/healthz", timeout=10).json()
        assert body == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}


@pytest.mark.parametrize("listen_on, post_to", [(0, 1), (1, 0)])
def test_a_client_on_one_worker_hears_an_order_posted_through_the_other(workers, listen,
                                                                        listen_on, post_to):
    scene = neighbourhood(workers[post_to].url)
    helper = listen(workers[listen_on].url, scene["helper"].token)
    order = post_order(scene["requester"])
    event, payload = helper.wait_for(
        lambda e, p: e == "order.created" and p["id"] == order["id"])
    assert payload["version"] == order["version"]


def test_an_emit_from_a_process_without_a_request_reaches_both_workers(workers, listen):
    """What the CLI and periodic jobs do: an app context, the outbox, a commit; no server."""
    scene = neighbourhood(workers[0].url)
    community = f"community:{scene['community']['id']}"
    listeners = [listen(worker.url, scene["helper"].token) for worker in workers]
    script = (
        "from app import app\n"
        "from mutualaid.core.extensions import db\n"
        "from mutualaid.realtime.outbox import announce\n"
        "with app.app_context():\n"
        f"    announce('order.updated', {{'id': 424242, 'version': 9}}, [{community!r}])\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=workers[0].env, check=True,
                   timeout=60, capture_output=True)
    for listener in listeners:
        listener.wait_for(lambda e, p: p == {"id": 424242, "version": 9})


def test_revoking_through_one_worker_disconnects_a_socket_held_by_the_other(workers, listen):
    """Issue 13: every instance checks its own sockets' credentials against the database."""
    from tests.realtime.test_revocation import gone_within

    scene = neighbourhood(workers[0].url)
    listener = listen(workers[1].url, scene["requester"].token)
    scene["requester"].call("DELETE", "/auth/tokens/current", expect=204)  # through worker A
    assert gone_within(listener.client)
