"""Kiosks connect to Socket.IO with their token and hear their building's board."""
from mutualaid.core.extensions import db, socketio
from mutualaid.kiosk import domain
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room
from tests.factories import make_building, make_staff


def kiosk_token(building):
    """A kiosk for ``building`` issued by its staff; returns the raw token."""
    _kiosk, raw = domain.issue_kiosk(make_staff(building.community), building, "Hut")
    db.session.commit()
    return raw


def test_kiosk_token_connects_and_hears_its_building(app):
    building = make_building()
    client = socketio.test_client(app, auth={"kiosk": kiosk_token(building)})
    assert client.is_connected()
    announce("order.created", {"id": 1, "version": 1}, [room("building", building.id)])
    db.session.commit()
    assert [event["name"] for event in client.get_received()] == ["order.created"]
    client.disconnect()


def test_unknown_or_revoked_kiosk_token_is_refused(app):
    building = make_building()
    raw = kiosk_token(building)
    assert not socketio.test_client(app, auth={"kiosk": "made-up"}).is_connected()
    kiosk = domain.kiosk_for(raw)
    domain.revoke_kiosk(make_staff(building.community), kiosk)
    db.session.commit()
    assert not socketio.test_client(app, auth={"kiosk": raw}).is_connected()


def test_kiosk_cannot_subscribe_to_other_rooms(app):
    building = make_building()
    client = socketio.test_client(app, auth={"kiosk": kiosk_token(building)})
    answer = client.emit("subscribe", {"room": "user:1"}, callback=True)
    assert answer == {"ok": False, "error": "forbidden"}
    client.disconnect()
