"""Web Push against web-push-testing (npm, installed by ``make webpush`` into tests/node): a
push service that runs on loopback, checks the VAPID header and decrypts the aes128gcm body,
and answers 410 once a subscription has expired."""
import json
import subprocess
import tempfile
import time

import pytest
import requests
import sqlalchemy as sa

from mutualaid.notifications import delivery, domain
from mutualaid.notifications.models import PushSubscription
from tests.factories import make_user
from tests.services import ROOT, free_port, missing, require_program

SERVER = ROOT / "tests/node/node_modules/web-push-testing/src/bin/server.js"


@pytest.fixture
def push_service(app):
    """web-push-testing on a free port of this machine, allowed by PUSH_ALLOWED_HOSTS."""
    node = require_program("node")
    if not SERVER.exists():
        missing("web-push-testing is not installed (make webpush)")
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:  # it keeps its state in its directory
        process = subprocess.Popen([node, str(SERVER), str(port)], cwd=workdir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://localhost:{port}"
        try:
            _wait_until_up(url, process)
            app.config["PUSH_ALLOWED_HOSTS"] = f"localhost:{port}"
            yield url
        finally:
            process.terminate()
            process.wait(10)


def _wait_until_up(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("web-push-testing exited")
        try:
            if requests.post(f"{url}/status", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("web-push-testing did not start")


def test_a_push_is_accepted_decrypted_and_a_gone_one_forgotten(app, db, api, push_service):
    user = make_user(locale="en")
    domain.update_settings(user, {"quiet_hours": None})
    db.session.commit()
    key = api(user).get("/push/public-key").json["public_key"]
    subscribed = requests.post(f"{push_service}/subscribe", json={
        "userVisibleOnly": "true", "applicationServerKey": key}, timeout=5).json()["data"]
    answer = api(user).post("/me/push-subscriptions", {
        "endpoint": subscribed["endpoint"], "keys": subscribed["keys"]})
    assert answer.status_code == 201
    row = domain.notify([user], "order.accepted", {"title": "Tap", "helper": "Li"},
                        "/orders/4")[0]
    db.session.commit()
    assert delivery.deliver_due() == 1  # 201 from the service: VAPID and body checked
    received = requests.post(f"{push_service}/get-notifications", json={
        "clientHash": subscribed["clientHash"]}, timeout=5).json()["data"]["messages"]
    assert [json.loads(message) for message in received] == [{
        "id": row.id, "kind": "order.accepted", "title": "Your need was accepted",
        "body": "Li will help with “Tap”.", "url": "/orders/4"}]

    requests.post(f"{push_service}/expire-subscription/{subscribed['clientHash']}", timeout=5)
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    assert delivery.deliver_due() == 1  # 410: nothing to retry, the subscription is gone
    assert db.session.scalar(sa.select(sa.func.count(PushSubscription.id))) == 0
