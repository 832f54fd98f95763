"""Socket.IO subscriptions follow the same rules as the HTTP reads: room kinds × actors as a
table, and for order, vote and community rooms the answer must equal what the matching GET
answers the same actor (200 ↔ ok)."""
import pytest
from flask import g

from mutualaid.core.extensions import socketio
from tests.security.world import ACTORS, World

#  anon (connect refused), unverified, resident, helper, outsider, staff, admin, kiosk
HOME = "refused no ok ok no ok ok no"
AWAY = "refused no no no ok no ok no"
ROOMS = [
    ("user:{resident}", None, "refused no ok no no no no no"),
    ("user:{staff}", None, "refused no no no no ok no no"),
    ("building:{home}", None, HOME),
    ("building:{away}", None, AWAY),
    ("community:{alpha}", "/communities/{alpha}/thanks", HOME),
    ("community:{beta}", "/communities/{beta}/thanks", AWAY),
    ("order:{order_open}", "/orders/{order_open}", HOME),
    ("order:{order_done}", "/orders/{order_done}", HOME),
    ("order:{order_beta}", "/orders/{order_beta}", AWAY),
    ("vote:{vote}", "/votes/{vote}", HOME),
    ("vote:{vote_beta}", "/votes/{vote_beta}", AWAY),
    ("appeal:{appeal}", "/appeals/{appeal}", HOME),
    ("appeal:{appeal_private}", "/appeals/{appeal_private}", "refused no no no no ok ok no"),
    ("order:999999", "/orders/999999", "refused no no no no no no no"),
    ("session:{session}", None, "refused no no no no no no no"),  # no such room kind
]
CELLS = [(name, read, actor, expected) for name, read, row in ROOMS
         for actor, expected in zip(ACTORS, row.split(), strict=True)]


@pytest.fixture(scope="module")
def built_world(tmp_path_factory):
    """The authorisation world, built once for the module."""
    world = World(tmp_path_factory.mktemp("rooms"))
    world.client = world.app.test_client()
    return world


@pytest.fixture
def world(built_world):
    """The world as it was built (a sign-in or a read may write: tokens, expiries)."""
    return built_world.restore()


def connect(world, actor):
    """A Socket.IO test client for ``actor``: users by token, the kiosk by its kiosk token."""
    if actor == "kiosk":
        auth = {"kiosk": world.tokens["kiosk"]}
    elif actor == "anonymous":
        auth = None
    else:
        auth = {"token": world.tokens[actor]}
    with world.app.app_context():
        g.pop("_login_user", None)
        return socketio.test_client(world.app, flask_test_client=world.app.test_client(),
                                    auth=auth)


@pytest.mark.parametrize("name, read, actor, expected", CELLS,
                         ids=[f"{n} {a}" for n, _r, a, _e in CELLS])
def test_subscriptions_follow_the_http_rules(world, name, read, actor, expected):
    name = name.format(**world.ids)
    socket = connect(world, actor)
    try:
        if expected == "refused":
            assert not socket.is_connected()
            return
        ack = socket.emit("subscribe", {"room": name}, callback=True)
        assert ack == ({"ok": True} if expected == "ok" else {"ok": False, "error": "forbidden"})
    finally:
        if socket.is_connected():
            socket.disconnect()
    if read is not None and actor != "kiosk":
        status = world.client.get("/api/v1" + read.format(**world.ids),
                                  headers=world.headers(actor)).status_code
        assert (status == 200) == (expected == "ok")


def test_a_foreign_page_cannot_open_a_socket_with_the_residents_cookie(world):
    """The Engine.IO handshake itself (through the WSGI stack, as a browser reaches it)."""
    from tests.security.test_sessions import sign_in

    browser = world.app.test_client()
    sign_in(browser, world.usernames["resident"], world.password)
    handshake = "/socket.io/?EIO=4&transport=polling"
    foreign = browser.get(handshake, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 400
    ours = browser.get(handshake, headers={"Origin": "http://localhost"})
    assert ours.status_code == 200 and ours.data.startswith(b"0{")
