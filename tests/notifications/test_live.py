"""message.created and notification.created reach real python-socketio clients of a running
server, after the commit, in the right rooms only."""
import pytest

from tests.realtime.listener import Listener
from tests.realtime.scene import neighbourhood, post_order
from tests.services import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("live-notify") / "live.sqlite3"
    proc = ServerProcess({"DATABASE_URL": f"sqlite:///{path}", "SEED_DEMO": "0",
                          "SECRET_KEY": "live-secret", "RATELIMIT_ENABLED": "0",
                          "NOTIFY_WORKER": "0"})
    proc.start()
    proc.cli("create-admin", "admin", "--password", "admin-password")
    yield proc
    proc.stop()


def test_messages_and_notifications_arrive_live(server):
    scene = neighbourhood(server.url)
    requester, helper = scene["requester"], scene["helper"]
    order = post_order(requester)
    requester_ear = Listener(server.url, requester.token)
    helper_ear = Listener(server.url, helper.token)
    try:
        assert requester_ear.subscribe(f"order:{order['id']}") == {"ok": True}
        helper.post(f"/orders/{order['id']}/accept")
        _event, notice = requester_ear.wait_for(
            lambda event, payload: event == "notification.created"
            and payload["kind"] == "order.accepted")
        assert notice["url"] == f"/orders/{order['id']}" and notice["version"] == 1
        assert notice["title"] == "您的求助有人接单了"  # the reader's language: zh-CN default
        message = helper.post(f"/orders/{order['id']}/messages", {"body": "我六点到"})
        _event, live = requester_ear.wait_for(
            lambda event, payload: event == "message.created" and payload["id"] == message["id"])
        assert live["body"] == "我六点到" and live["order_id"] == order["id"]
        requester_ear.wait_for(lambda event, payload: event == "notification.created"
                               and payload["kind"] == "order.message")
        inbox = requester.get("/me/notifications")
        assert {item["id"] for item in inbox["items"]} >= {notice["id"]}
        assert not any(event == "notification.created" and payload["kind"] == "order.message"
                       for event, payload in helper_ear.events)  # not to the author
    finally:
        requester_ear.close()
        helper_ear.close()
