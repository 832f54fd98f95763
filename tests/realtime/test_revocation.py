"""Revocation reaches live sockets: a revoked token or kiosk, a sign-out, a new password or
PIN disconnects the Socket.IO connections they let in, within 2 s, with real clients against
``python app.py``; the sweep itself is tried in-process too."""
import time

import pytest
import requests
import socketio

from mutualaid.accounts import domain as accounts
from mutualaid.core.extensions import db, socketio as flask_socketio
from mutualaid.kiosk import domain as kiosks
from mutualaid.realtime import credentials
from tests.factories import PASSWORD, make_building, make_staff, make_user
from tests.realtime.listener import Listener
from tests.realtime.scene import neighbourhood
from tests.services import ServerProcess

WITHIN = 2.0  # seconds: the contract


def gone_within(client, seconds=WITHIN):
    """True once ``client`` is disconnected, waiting at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not client.connected:
            return True
        time.sleep(0.05)
    return not client.connected


# --- in-process: what a sweep keeps and what it drops -------------------------------------

def test_sweep_drops_only_connections_whose_credential_died(app, connect):
    kept_user, revoked_user, signed_out = make_user(), make_user(), make_user()
    kept = connect(token=accounts.issue_token(kept_user))
    revoked_token = accounts.issue_token(revoked_user)
    revoked = connect(token=revoked_token)
    cookie = connect(user=signed_out)
    assert credentials.sweep(app, flask_socketio) == 0
    accounts.revoke_token(accounts.token_for(revoked_token))
    db.session.get(type(signed_out), signed_out.id).end_sessions()
    db.session.commit()
    assert credentials.sweep(app, flask_socketio) == 2
    assert kept.is_connected() and not revoked.is_connected() and not cookie.is_connected()


@pytest.mark.parametrize("database", ["app", "postgres_app"])
def test_the_check_finds_the_dead_among_more_credentials_than_a_batch(request, database):
    """More live credentials than one IN list holds (SQLite) or in one array (PostgreSQL)."""
    app = request.getfixturevalue(database)
    users = [make_user() for _ in range(3)]
    tokens = [accounts.issue_token(users[n % 3]) for n in range(credentials.BATCH * 2 + 10)]
    rows = [accounts.token_for(raw) for raw in tokens]
    for number, row in enumerate(rows):
        credentials.remember(f"token-{number}", ("token", row.id))
    credentials.remember("session-kept", ("session", users[0].id, 0))
    credentials.remember("session-ended", ("session", users[1].id, 0))
    dead = {"token-3", f"token-{credentials.BATCH + 7}", "session-ended"}
    for sid in dead - {"session-ended"}:
        accounts.revoke_token(rows[int(sid.split("-")[1])])
    db.session.get(type(users[1]), users[1].id).end_sessions()
    db.session.commit()
    assert set(credentials.dead_sids(app)) == dead


def test_sweep_drops_a_revoked_kiosk_board(app, connect):
    building = make_building()
    staff = make_staff(building.community)
    kiosk, raw = kiosks.issue_kiosk(staff, building, "Hut")
    board = connect(auth={"kiosk": raw})
    assert board.is_connected()
    kiosks.revoke_kiosk(staff, kiosk)
    db.session.commit()
    assert credentials.sweep(app, flask_socketio) == 1 and not board.is_connected()


def test_a_new_pin_ends_kiosk_sign_ins_and_a_new_password_every_other_token(app, connect):
    building = make_building()
    staff = make_staff(building.community)
    resident = make_user(verified=True)
    kiosk, _raw = kiosks.issue_kiosk(staff, building, "Hut")
    at_kiosk = connect(token=accounts.issue_token(resident, kiosk=kiosk))
    phone = connect(token=accounts.issue_token(resident))
    accounts.set_pin(resident, resident, "2468")
    db.session.commit()
    assert credentials.sweep(app, flask_socketio) == 1
    assert not at_kiosk.is_connected() and phone.is_connected()
    accounts.change_password(resident, PASSWORD, "a fresh passphrase")
    db.session.commit()
    assert credentials.sweep(app, flask_socketio) == 1 and not phone.is_connected()


# --- end to end: real clients, the real server's watcher ---------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("revoke") / "live.sqlite3"
    proc = ServerProcess({"DATABASE_URL": f"sqlite:///{path}", "SEED_DEMO": "0",
                          "SECRET_KEY": "revoke-secret", "RATELIMIT_ENABLED": "0",
                          "SOCKET_CREDENTIAL_CHECK": "1"})
    proc.start()
    proc.cli("create-admin", "admin", "--password", "admin-password")
    yield proc
    proc.stop()


def test_signing_out_a_token_disconnects_its_socket(server):
    scene = neighbourhood(server.url)
    other = Listener(server.url, scene["helper"].token)
    listener = Listener(server.url, scene["requester"].token)
    scene["requester"].call("DELETE", "/auth/tokens/current", expect=204)
    assert gone_within(listener.client)
    assert other.client.connected  # only what was revoked
    other.close()


def test_revoking_a_kiosk_disconnects_its_board(server):
    scene = neighbourhood(server.url)
    kiosk = scene["staff"].post("/kiosks", {"name": "Hut", "building_id": scene["building"]["id"]},
                                expect=201)
    board = socketio.Client(reconnection=False)
    board.connect(server.url, auth={"kiosk": kiosk["token"]}, transports=["websocket"],
                  wait_timeout=10)
    assert board.connected
    scene["staff"].call("DELETE", f"/kiosks/{kiosk['id']}", expect=204)
    assert gone_within(board)


def test_signing_out_of_a_page_disconnects_the_cookie_socket(server):
    scene = neighbourhood(server.url)
    browser = requests.Session()
    login = browser.get(server.url + "/login").text
    csrf = login.split('name="csrf-token" content="')[1].split('"')[0]
    username = scene["people"]["helper"]["username"]
    browser.post(server.url + "/login", data={"username": username, "csrf_token": csrf,
                                              "password": f"{username}-password"})
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    page = socketio.Client(reconnection=False)
    page.connect(server.url, headers={"Cookie": cookie, "Origin": server.url},
                 transports=["polling"], wait_timeout=10)
    assert page.connected
    csrf = browser.get(server.url + "/").text.split('name="csrf-token" content="')[1].split('"')[0]
    browser.post(server.url + "/logout", data={"csrf_token": csrf})
    assert gone_within(page)
