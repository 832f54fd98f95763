"""Socket.IO handlers: authenticated connect, home rooms, checked subscriptions."""
from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.extensions import db, socketio
from mutualaid.realtime.rooms import home_rooms, may_subscribe

SOCKET_AUTHENTICATORS = []  # extra ways to connect (a kiosk token), each auth -> rooms | None


def _user_from(auth):
    """The user of a token in ``auth``, else of the session cookie, else None."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if isinstance(token, str) and token:
        row = accounts.token_for(token)
        return row.user if row else None
    return current_user if current_user.is_authenticated else None


@socketio.on("connect")
def connect(auth=None):
    """Accept signed-in users (cookie or token) into their home rooms; refuse everyone else."""
    try:
        user = _user_from(auth)
        rooms = home_rooms(user) if user else None
        for authenticate in SOCKET_AUTHENTICATORS:
            rooms = rooms or authenticate(auth)
        if not rooms:
            raise ConnectionRefusedError("unauthorized")
        request.environ["sharehut.user_id"] = user.id if user else None
        for name in rooms:
            join_room(name)
    finally:
        db.session.remove()


@socketio.on("subscribe")
def subscribe(data):
    """Join a room the user may see: ``{"room": "order:7"}`` → ``{"ok": true}``."""
    try:
        name = data.get("room") if isinstance(data, dict) else None
        user_id = request.environ.get("sharehut.user_id")
        user = db.session.get(User, user_id) if user_id else None
        if user is None or not user.active or not may_subscribe(user, name):
            return {"ok": False, "error": "forbidden"}
        join_room(name)
        return {"ok": True}
    finally:
        db.session.remove()
