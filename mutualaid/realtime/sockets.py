"""Socket.IO handlers: authenticated connect, home rooms, checked subscriptions.

Who a connection belongs to is kept in the connection's WSGI environ (``USER_KEY``): every
event handler of that connection sees the same environ, it disappears with the connection, and
it works alike in the real server and in Flask-SocketIO's test client (python-socketio's
``server.session()`` needs an Engine.IO socket the test client does not create). Only the id
is kept: each subscribe reloads the user, so revocations apply at once.

Handlers only read. Each ends its transaction at once (``_release``): on SQLite every
transaction takes the write lock (BEGIN IMMEDIATE), and where the handler shares its app
context (the CLI, tests) nothing else could write until that context ends. A rollback, not a
close, so that objects the context already holds stay attached.
"""
from contextlib import contextmanager

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.core.extensions import db, socketio
from mutualaid.realtime import credentials
from mutualaid.realtime.queue_watch import queue_up
from mutualaid.realtime.rooms import home_rooms, is_room_name, may_subscribe

# Extra ways to connect (a lobby kiosk's token): each ``authenticate(auth) -> rooms | None``,
# filled by mutualaid/features.py.
SOCKET_AUTHENTICATORS = []
FORBIDDEN = {"ok": False, "error": "forbidden"}
USER_KEY = "sharehut.socket_user_id"


def _user_from(auth):
    """``(user, credential)``: the user of a token in ``auth``, else of the session cookie,
    with what let them in (see ``credentials``); ``(None, None)`` for nobody.

    A token that is present but dead does not fall back to the cookie: the client asked to be
    someone in particular, and is refused rather than silently connected as someone else.
    """
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        row = accounts.token_for(token) if isinstance(token, str) and token else None
        return (row.user, ("token", row.id)) if row else (None, None)
    if not current_user.is_authenticated:
        return None, None
    user = current_user._get_current_object()
    return user, ("session", user.id, user.session_version or 0)


def _rooms_for(auth):
    """``(user_id, rooms, credential)`` for a connection; rooms None when nobody is
    recognised. Other authenticators answer ``(rooms, credential)``, rooms alone (nothing to
    revoke), or None."""
    user, credential = _user_from(auth)
    if user is not None and user.active:
        return user.id, home_rooms(user), credential
    for authenticate in SOCKET_AUTHENTICATORS:
        found = authenticate(auth)
        if found:
            rooms, credential = found if isinstance(found, tuple) else (found, None)
            return None, list(rooms), credential
    return None, None, None


@contextmanager
def _release():
    """Run a read, then end its transaction whatever happens."""
    try:
        yield
    finally:
        db.session.rollback()


@socketio.on("connect")
def connect(auth=None):
    """Accept signed-in users (cookie or token) into their home rooms; refuse everyone else."""
    with _release():
        user_id, rooms, credential = _rooms_for(auth)
    if not rooms:
        raise ConnectionRefusedError("unauthorized")
    if not queue_up(current_app.config["SOCKETIO_MESSAGE_QUEUE"]):
        raise ConnectionRefusedError("queue_unavailable")  # the client polls over HTTP instead
    request.environ[USER_KEY] = user_id
    if credential is not None:
        credentials.remember(request.sid, credential)
    for name in rooms:
        join_room(name)


@socketio.on("disconnect")
def disconnect(reason=None):
    """Forget the connection's credential."""
    credentials.forget(request.sid)


@socketio.on("subscribe")
def subscribe(data=None):
    """Join a room the user may see: ``{"room": "order:7"}`` → ``{"ok": true}``.

    The user is read again from the database on each subscribe, so a deactivated account (or
    a staff member removed from a community) loses access without reconnecting.
    """
    name = data.get("room") if isinstance(data, dict) else None
    user_id = request.environ.get(USER_KEY)
    with _release():
        user = db.session.get(User, user_id) if user_id else None
        allowed = user is not None and user.active and may_subscribe(user, name)
    if not allowed:
        return FORBIDDEN
    join_room(name)
    return {"ok": True}


@socketio.on("unsubscribe")
def unsubscribe(data=None):
    """Leave a room joined with ``subscribe`` (pages that show another entity)."""
    name = data.get("room") if isinstance(data, dict) else None
    if not is_room_name(name):
        return FORBIDDEN
    leave_room(name)
    return {"ok": True}
