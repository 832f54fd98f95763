"""A Redis outage in the scale-out setup: two ``python app.py`` on PostgreSQL sharing a
private ``redis-server`` (killed mid-test). Requests keep working, sockets are dropped and
refused so clients poll over HTTP, and live updates come back with Redis."""
import signal
import socket
import subprocess
import time
import uuid

import pytest
import requests
import socketio

from tests.realtime.listener import Listener
from tests.realtime.scene import Http, neighbourhood, post_order
from tests.services import ServerProcess, free_port, private_postgres_database, require_program

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _start_redis(port):
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def _until(predicate, timeout=20, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def database_url():
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    with private_postgres_database("sharehut_outage") as url:
        yield url


def test_a_redis_outage_degrades_live_updates_to_polling_without_failing_requests(database_url):
    require_program("redis-server")
    port = free_port()
    redis = _start_redis(port)
    env = {"DATABASE_URL": database_url, "SOCKETIO_MESSAGE_QUEUE": f"redis://127.0.0.1:{port}/0",
           "SOCKETIO_CHANNEL": f"sharehut-outage-{uuid.uuid4().hex}", "SEED_DEMO": "0",
           "SECRET_KEY": "outage-secret", "SOCKETIO_QUEUE_WATCH": "0.5",
           # rate limits counted in the same Redis, as deploy/README.md suggests
           "RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/1"}
    a = ServerProcess(env).start()
    b = ServerProcess(env).start()
    listeners = []
    try:
        a.cli("create-admin", "admin", "--password", "admin-password")
        scene = neighbourhood(a.url)
        requester = scene["requester"]
        on_b = Http(b.url, scene["helper"].token)
        listeners.append(Listener(b.url, scene["helper"].token))
        before = post_order(requester, "Before the outage")
        listeners[0].wait_for(lambda e, p: e == "order.created" and p["id"] == before["id"])

        redis.send_signal(signal.SIGKILL)
        redis.wait()
        during = [post_order(requester, f"During the outage {i}") for i in range(3)]
        accepted = on_b.post(f"/orders/{during[0]['id']}/accept")  # writes through B too
        assert accepted["status"] == "accepted"
        for server in (a, b):
            health = requests.get(server.url + "/healthz", timeout=10)
            assert health.status_code == 200
            assert health.json()["status"] == "degraded"
            assert health.json()["checks"] == {"database": "ok", "queue": "ConnectionError"}
        # The deaf socket is dropped, and a new one refused: the page polls instead ...
        assert _until(lambda: not listeners[0].client.connected), "socket kept while deaf"
        with pytest.raises(socketio.exceptions.ConnectionError):
            Listener(b.url, scene["helper"].token)
        # ... and the poll (any instance) sees every change made during the outage.
        board = {order["id"]: order["status"] for order in on_b.get("/orders?per_page=50")["items"]}
        assert board[during[0]["id"]] == "accepted"
        assert all(order["id"] in board for order in during)

        redis = _start_redis(port)
        assert _until(lambda: requests.get(b.url + "/healthz", timeout=10).json()["status"] == "ok")

        def connected():  # as live.js does after a refusal: try again a little later
            try:
                listeners.append(Listener(b.url, scene["helper"].token))
                return True
            except socketio.exceptions.ConnectionError:
                return False

        assert _until(connected, step=0.5), "sockets still refused with Redis back"

        def heard_one():  # B's subscriber reconnects to Redis with a back-off: retry a while
            after = post_order(requester, "After the outage")
            try:
                listeners[-1].wait_for(
                    lambda e, p: e == "order.created" and p["id"] == after["id"], timeout=2)
                return True
            except AssertionError:
                return False

        assert _until(heard_one, timeout=40, step=0), "live updates did not come back"
        assert "live updates fall back to polling" in b.output()
    finally:
        for listener in listeners:
            listener.close()
        a.stop()
        b.stop()
        if redis.poll() is None:
            redis.kill()
            redis.wait()
