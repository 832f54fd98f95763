"""Socket.IO at the unit level: who may connect, which rooms, and when events leave."""
import pytest

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.realtime.outbox import announce, pending
from mutualaid.realtime.rooms import room
from tests.factories import make_building, make_community, make_staff, make_user
from tests.realtime.conftest import rooms_of, token_of


def received(socket_client, name=None):
    """Events the client got since last asked: ``[(name, payload)]``."""
    return [(event["name"], event["args"][0]) for event in socket_client.get_received()
            if name is None or event["name"] == name]


# --- connecting -----------------------------------------------------------------------------

@pytest.mark.parametrize("auth", [None, {}, {"token": ""}, {"token": "not-a-token"},
                                  {"token": 42}, {"token": ["x"]}, "token", [1, 2]])
def test_connect_without_valid_credentials_is_refused(connect, auth):
    assert not connect(auth=auth).is_connected()


def test_connect_with_session_cookie_is_accepted(connect):
    assert connect(user=make_user(verified=True)).is_connected()


def test_connect_with_token_is_accepted(connect):
    user = make_user(verified=True)
    assert connect(token=token_of(user)).is_connected()


def test_connect_with_revoked_token_is_refused(connect):
    from mutualaid.accounts import domain as accounts

    user = make_user()
    raw = token_of(user)
    accounts.revoke_token(accounts.token_for(raw))
    db.session.commit()
    assert not connect(token=raw).is_connected()


def test_connect_with_bad_token_does_not_fall_back_to_the_cookie(connect):
    assert not connect(user=make_user(), token="forged").is_connected()


def test_connect_of_deactivated_user_is_refused(connect):
    user = make_user()
    raw = token_of(user)
    user.active = False
    db.session.commit()
    assert not connect(token=raw).is_connected()


def test_connect_joins_the_home_rooms(connect):
    user = make_user(verified=True)
    building = user.unit.building
    client = connect(token=token_of(user))
    assert rooms_of(client) == {f"user:{user.id}", f"building:{building.id}",
                                f"community:{building.community_id}"}


def test_connect_without_a_home_unit_joins_only_the_user_room(connect):
    user = make_user()
    assert rooms_of(connect(user=user)) == {f"user:{user.id}"}


def test_socket_authenticators_let_other_principals_in(connect, monkeypatch):
    from mutualaid.realtime import sockets

    building = make_building()
    monkeypatch.setattr(sockets, "SOCKET_AUTHENTICATORS", [
        lambda auth: [room("building", building.id)] if auth == {"kiosk": "k1"} else None])
    client = connect(auth={"kiosk": "k1"})
    assert client.is_connected()
    assert rooms_of(client) == {f"building:{building.id}"}
    assert not connect(auth={"kiosk": "k2"}).is_connected()


# --- subscribing ----------------------------------------------------------------------------

def subscribe(client, name):
    """Emit ``subscribe`` and return the ack."""
    return client.emit("subscribe", {"room": name}, callback=True)


def test_subscribe_to_a_building_of_my_community_is_acknowledged(connect):
    user = make_user(verified=True)
    neighbour_building = make_building(community=user.unit.building.community)
    client = connect(user=user)
    assert subscribe(client, room("building", neighbour_building.id)) == {"ok": True}
    assert f"building:{neighbour_building.id}" in rooms_of(client)


def test_staff_may_subscribe_to_their_community(connect):
    community = make_community()
    staff = make_staff(community)
    assert subscribe(connect(user=staff), room("community", community.id)) == {"ok": True}


@pytest.mark.parametrize("name", [
    "community:other", "user:other", "building:999999", "nonsense", "", None, 7, "order:1",
    "user:0", "community:01", "community:1 ", "COMMUNITY:1", "community:12345678901234567890",
    "vote:1:2", "../community:1",
])
def test_subscribe_to_a_bad_or_foreign_room_is_forbidden(connect, name):
    user = make_user(verified=True)
    other = make_user(verified=True)  # lives in another community
    name = {"community:other": room("community", other.unit.building.community_id),
            "user:other": room("user", other.id)}.get(name, name)
    client = connect(user=user)
    before = rooms_of(client)
    assert subscribe(client, name) == {"ok": False, "error": "forbidden"}
    assert rooms_of(client) == before


@pytest.mark.parametrize("data", [None, "community:1", ["x"], {"room": {"a": 1}}, 5])
def test_subscribe_with_malformed_data_is_forbidden(connect, data):
    client = connect(user=make_user(verified=True))
    assert client.emit("subscribe", data, callback=True) == {"ok": False, "error": "forbidden"}


def test_subscribe_after_deactivation_is_forbidden(connect):
    user = make_user(verified=True)
    building = make_building(community=user.unit.building.community)
    client = connect(user=user)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert subscribe(client, room("building", building.id))["ok"] is False


def test_kiosk_connection_cannot_subscribe_like_a_user(connect, monkeypatch):
    from mutualaid.realtime import sockets

    building = make_building()
    monkeypatch.setattr(sockets, "SOCKET_AUTHENTICATORS", [lambda auth: ["building:1"]])
    client = connect(auth={"kiosk": "x"})
    assert subscribe(client, room("building", building.id))["ok"] is False


# --- the outbox -----------------------------------------------------------------------------

def test_announce_then_commit_delivers_to_the_room(connect):
    user = make_user(verified=True)
    community_id = user.unit.building.community_id
    client = connect(user=user)
    outsider = connect(user=make_user(verified=True))
    announce("order.created", {"id": 1, "version": 1}, [room("community", community_id)])
    db.session.commit()
    assert received(client) == [("order.created", {"id": 1, "version": 1})]
    assert received(outsider) == []


def test_announce_then_rollback_delivers_nothing(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    announce("order.updated", {"id": 1, "version": 2}, [room("user", user.id)])
    db.session.rollback()
    db.session.commit()
    assert received(client) == []
    assert pending() == []


def test_emission_happens_only_after_the_commit(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    announce("order.updated", {"id": 1, "version": 2}, [room("user", user.id)])
    db.session.flush()
    assert received(client) == []
    db.session.commit()
    assert received(client) == [("order.updated", {"id": 1, "version": 2})]


def test_an_event_for_several_rooms_arrives_once(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    building = user.unit.building
    announce("order.created", {"id": 3, "version": 1},
             [room("user", user.id), room("building", building.id),
              room("community", building.community_id)])
    db.session.commit()
    assert len(received(client)) == 1


def test_events_leave_in_announcement_order(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    for version in (1, 2, 3):
        announce("order.updated", {"id": 9, "version": version}, [room("user", user.id)])
    db.session.commit()
    assert [payload["version"] for _name, payload in received(client)] == [1, 2, 3]


def test_a_payload_function_sees_the_flushed_state(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    newcomer = User(username="newcomer", display_name="N", password_hash="x")
    db.session.add(newcomer)
    announce("user.created", lambda: {"id": newcomer.id, "version": 1}, [room("user", user.id)])
    db.session.commit()
    assert received(client) == [("user.created", {"id": newcomer.id, "version": 1})]


def test_a_rolled_back_savepoint_drops_only_its_own_announcements(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    announce("order.updated", {"id": 1, "version": 1}, [room("user", user.id)])
    savepoint = db.session.begin_nested()
    announce("order.updated", {"id": 2, "version": 1}, [room("user", user.id)])
    savepoint.rollback()
    db.session.commit()
    assert received(client) == [("order.updated", {"id": 1, "version": 1})]


def test_a_closed_session_forgets_its_announcements(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    announce("order.updated", {"id": 1, "version": 1}, [room("user", user.id)])
    db.session.close()
    db.session.commit()
    assert received(client) == []


def test_an_emit_outside_a_request_reaches_clients(app, connect):
    """A CLI command or a periodic job runs in an app context without a request."""
    from flask import has_request_context

    user = make_user(verified=True)
    client = connect(user=user)
    assert not has_request_context()
    announce("order.updated", {"id": 5, "version": 7}, [room("user", user.id)])
    db.session.commit()
    assert received(client) == [("order.updated", {"id": 5, "version": 7})]


def test_unsubscribe_leaves_the_room(connect):
    user = make_user(verified=True)
    building = make_building(community=user.unit.building.community)
    client = connect(user=user)
    name = room("building", building.id)
    assert subscribe(client, name) == {"ok": True}
    assert client.emit("unsubscribe", {"room": name}, callback=True) == {"ok": True}
    assert name not in rooms_of(client)
    assert client.emit("unsubscribe", {"room": "x"}, callback=True)["ok"] is False


def test_order_rooms_follow_who_may_see_the_order(connect):
    from tests.orders.factories import make_neighbourhood, make_order

    hood, elsewhere = make_neighbourhood(), make_neighbourhood()
    order = make_order(hood.requester)
    name = room("order", order.id)
    db.session.commit()
    assert subscribe(connect(user=hood.requester), name) == {"ok": True}
    assert subscribe(connect(user=hood.other), name) == {"ok": True}
    assert subscribe(connect(user=elsewhere.other), name)["ok"] is False


def test_a_payload_read_after_the_commit_sees_it_and_follows_the_others(connect):
    user = make_user(verified=True)
    client = connect(user=user)
    newcomer = User(username="newcomer", display_name="N", password_hash="x")
    db.session.add(newcomer)
    db.session.flush()
    newcomer_id = newcomer.id

    def read():  # the commit expired newcomer: this reads it afresh
        return {"id": newcomer.id, "version": 1, "name": newcomer.display_name}

    announce("user.created", read, [room("user", user.id)], after_commit=True)
    announce("order.updated", {"id": 1, "version": 2}, [room("user", user.id)])
    newcomer.display_name = "Committed"
    db.session.commit()
    assert not db.session().in_transaction()  # the read's ended: on SQLite it holds the lock
    assert received(client) == [
        ("order.updated", {"id": 1, "version": 2}),
        ("user.created", {"id": newcomer_id, "version": 1, "name": "Committed"})]


def test_commits_during_a_read_of_the_same_thing_share_one_more_read(app, connect):
    import threading

    user = make_user(verified=True)
    client = connect(user=user)
    rooms = [room("user", user.id)]
    reads, reading, go_on = [], threading.Event(), threading.Event()

    def read():
        reads.append(len(reads) + 1)
        if len(reads) == 1:  # the first read is slow: three more commits come meanwhile
            reading.set()
            go_on.wait(10)
        return {"id": 7, "version": len(reads)}

    def first_commit():
        with app.app_context():
            announce("vote.turnout", read, rooms, after_commit=True, latest_of=("vote", 7))
            db.session.commit()

    first = threading.Thread(target=first_commit)
    first.start()
    assert reading.wait(10)
    for _ in range(3):
        announce("vote.turnout", read, rooms, after_commit=True, latest_of=("vote", 7))
        db.session.commit()  # answered by the running read's next round, not read here
    assert reads == [1]
    go_on.set()
    first.join(10)
    assert reads == [1, 2]
    assert received(client) == [("vote.turnout", {"id": 7, "version": 1}),
                                ("vote.turnout", {"id": 7, "version": 2})]
    announce("vote.turnout", read, rooms, after_commit=True, latest_of=("vote", 7))
    db.session.commit()  # nobody reading now: read at once
    assert reads == [1, 2, 3]
