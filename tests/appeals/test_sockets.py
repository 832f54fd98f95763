"""``appeal.updated`` reaches those who follow the appeal live, after the commit, in its
public form (no anonymous name, no photos)."""
from flask import g

from mutualaid.accounts import domain as accounts
from mutualaid.appeals import domain
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import socketio
from tests.appeals.factories import file, make_street


def connect(app, db, user):
    """A Socket.IO test client for ``user`` by bearer token."""
    token = accounts.issue_token(user)
    db.session.commit()
    g.pop("_login_user", None)
    return socketio.test_client(app, flask_test_client=app.test_client(), auth={"token": token})


def updates(client):
    return [event["args"][0] for event in client.get_received()
            if event["name"] == "appeal.updated"]


def test_a_step_is_pushed_to_the_appeal_room_after_commit(app, db):
    place = make_street()
    appeal = file(place, anonymous=True, now=utcnow())
    db.session.commit()
    neighbour = connect(app, db, place.neighbour)
    assert neighbour.emit("subscribe", {"room": f"appeal:{appeal.id}"}, callback=True) == {
        "ok": True}
    neighbour.get_received()
    domain.accept_appeal(place.worker, appeal, utcnow())
    assert updates(neighbour) == []  # nothing before the commit
    db.session.commit()
    [payload] = [p for p in updates(neighbour) if p["id"] == appeal.id]
    assert (payload["status"], payload["version"]) == ("accepted", 2)
    assert payload["appellant"] is None and payload["photos"] == []
    neighbour.disconnect()


def test_a_private_appeal_room_is_refused_to_neighbours(app, db):
    place = make_street()
    appeal = file(place, public=False, now=utcnow())
    db.session.commit()
    neighbour = connect(app, db, place.neighbour)
    assert neighbour.emit("subscribe", {"room": f"appeal:{appeal.id}"}, callback=True) == {
        "ok": False, "error": "forbidden"}
    neighbour.disconnect()
    worker = connect(app, db, place.worker)
    assert worker.emit("subscribe", {"room": f"appeal:{appeal.id}"}, callback=True) == {
        "ok": True}
    worker.disconnect()
