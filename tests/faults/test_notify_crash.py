"""The server SIGKILLed while notifications wait to be pushed: nothing committed is lost.

A real ``python app.py`` (its delivery thread on) pushes to a slow push service on loopback
(VAPID checked, bodies decrypted). A burst of accepts writes an ``order.accepted`` notice and
its delivery row in each accept's transaction; the process is killed mid-burst, with
deliveries still waiting. After a restart, every notice of an answered accept is in the
inbox and every committed notice reaches the push service; nothing arrives that was not
committed, and a repeat is only ever the same notice again (the browser shows it once, by
its id as the notification's tag).
"""
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.notifications.push_service import PushService
from tests.realtime.scene import neighbourhood, post_order
from tests.services import ServerProcess

ACCEPTS = 30


def test_a_killed_server_delivers_every_committed_notification_after_restart(tmp_path):
    service = PushService()
    service.delay = 0.1
    database = tmp_path / "notify-crash.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "SEED_DEMO": "0", "RATELIMIT_ENABLED": "0",
           "SECRET_KEY": "crash-secret", "PUSH_ALLOWED_HOSTS": service.host,
           "NOTIFY_POLL_SECONDS": "0.2"}
    server = ServerProcess(env).start()
    try:
        server.cli("create-admin", "admin", "--password", "admin-password")
        scene = neighbourhood(server.url)
        requester, helper = scene["requester"], scene["helper"]
        requester.call("PUT", "/me/notification-settings", {"quiet_hours": None})
        requester.post("/me/push-subscriptions", service.subscription(), expect=201)
        orders = [post_order(requester, f"Need {i}")["id"] for i in range(ACCEPTS)]
        base = server.url + "/api/v1"

        def accept(order_id):
            try:
                return requests.post(f"{base}/orders/{order_id}/accept", timeout=10,
                                     headers={"Authorization": f"Bearer {helper.token}"}
                                     ).status_code
            except requests.RequestException:
                return None

        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(accept, order_id) for order_id in orders]
            deadline = time.monotonic() + 30
            while sum(f.done() for f in futures) < ACCEPTS // 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            server.kill()  # mid-burst, no shutdown of any kind
        answered = [order for order, future in zip(orders, futures)
                    if future.result() == 200]
        assert 0 < len(answered) < ACCEPTS, "the kill must land in the middle of the burst"
    finally:
        server.stop()

    with sqlite3.connect(database) as db:
        committed = dict(db.execute(
            "SELECT id, url FROM notifications WHERE kind = 'order.accepted'").fetchall())
        waiting = db.execute("SELECT count(*) FROM notification_deliveries "
                             "WHERE status = 'pending'").fetchone()[0]
    assert {f"/orders/{order}" for order in answered} <= set(committed.values())
    assert waiting > 0, "some deliveries must still wait when the process dies"

    restarted = ServerProcess(server.env | {"PORT": ""}).start()
    try:
        deadline = time.monotonic() + 60
        while ({e["payload"]["id"] for e in service.received} < set(committed)
               and time.monotonic() < deadline):
            time.sleep(0.2)
        received = [entry["payload"]["id"] for entry in service.received]
        assert set(received) == set(committed)
        assert service.rejected == []
        for entry in service.received:  # a repeat is the same notice, never another one
            assert entry["payload"]["url"] == committed[entry["payload"]["id"]]
    finally:
        restarted.stop()
        service.close()
