"""Socket.IO end to end: python-socketio's real client against ``python app.py``."""
import pytest
import socketio

from tests.realtime.listener import Listener
from tests.realtime.scene import Http, neighbourhood, post_order
from tests.services import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One real server (own SQLite file) for the module, with an administrator."""
    path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    proc = ServerProcess({"DATABASE_URL": f"sqlite:///{path}", "SEED_DEMO": "0",
                          "SECRET_KEY": "live-secret", "RATELIMIT_ENABLED": "0"})
    proc.start()
    proc.cli("create-admin", "admin", "--password", "admin-password")
    yield proc
    proc.stop()


@pytest.fixture
def listeners():
    """``listen(url, token, **kw)`` → a connected Listener, closed after the test."""
    opened = []

    def listen(*args, **kwargs):
        listener = Listener(*args, **kwargs)
        opened.append(listener)
        return listener

    yield listen
    for listener in opened:
        listener.close()


@pytest.mark.parametrize("auth, transport", [
    (None, "websocket"), (None, "polling"), ({"token": "forged"}, "websocket"),
    ({"token": ""}, "polling"), ({"user_id": 1}, "websocket"),
])
def test_connect_without_valid_credentials_is_refused(server, auth, transport):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, auth=auth, transports=[transport], wait_timeout=10)
    assert not client.connected


def test_connect_from_a_foreign_origin_is_refused(server, listeners):
    """Polling here: websocket-client always adds its own same-origin header."""
    token = Http.sign_in(server.url, "admin", "admin-password").token
    with pytest.raises(socketio.exceptions.ConnectionError):
        listeners(server.url, token, headers={"Origin": "http://evil.example"},
                  transports=["polling"])
    same_origin = listeners(server.url, token, headers={"Origin": server.url},
                            transports=["polling"])
    assert same_origin.client.connected


def test_subscribing_to_another_community_is_forbidden(server, listeners):
    mine, theirs = neighbourhood(server.url), neighbourhood(server.url)
    listener = listeners(server.url, mine["requester"].token)
    assert listener.subscribe(f"community:{theirs['community']['id']}") == {
        "ok": False, "error": "forbidden"}
    assert listener.subscribe("community:abc") == {"ok": False, "error": "forbidden"}
    assert listener.subscribe(f"building:{mine['building']['id']}") == {"ok": True}


def test_a_new_order_reaches_the_community_board_after_the_rest_call(server, listeners):
    scene, elsewhere = neighbourhood(server.url), neighbourhood(server.url)
    helper = listeners(server.url, scene["helper"].token)
    outsider = listeners(server.url, elsewhere["helper"].token)
    order = post_order(scene["requester"], title="Groceries for 12F")
    event, payload = helper.wait_for(lambda e, p: e == "order.created" and p["id"] == order["id"])
    assert payload["title"] == "Groceries for 12F" and payload["version"] == order["version"]
    assert payload["contact"] is None  # the board never carries a phone number
    outsider.client.sleep(0.5)  # not a timing assertion: a chance for a wrong delivery to show
    assert all(p.get("id") != order["id"] for _e, p in outsider.events)


def test_order_updates_arrive_in_version_order(server, listeners):
    scene = neighbourhood(server.url)
    order = post_order(scene["requester"])
    requester = listeners(server.url, scene["requester"].token)
    assert requester.subscribe(f"order:{order['id']}") == {"ok": True}
    scene["helper"].post(f"/orders/{order['id']}/accept")
    scene["helper"].post(f"/orders/{order['id']}/start")
    requester.wait_for(lambda e, p: e == "order.updated" and p["status"] == "in_progress")
    versions = [p["version"] for e, p in requester.events
                if e == "order.updated" and p["id"] == order["id"]]
    assert versions == sorted(set(versions)) and len(versions) >= 2
    assert versions[0] > order["version"]
