"""Fixtures for Socket.IO tests: ``connect(...)`` opens Flask-SocketIO test clients."""
import pytest
from flask import g

from mutualaid.accounts import domain as accounts
from mutualaid.core.extensions import db, socketio


def sign_in(client, user):
    """Give Flask's test client the session cookie of ``user``."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def token_of(user):
    """A real bearer token for ``user`` (committed)."""
    raw = accounts.issue_token(user)
    db.session.commit()
    return raw


def rooms_of(socket_client):
    """The rooms a test client's connection is in (without its own sid room)."""
    manager = socketio.server.manager
    sid = manager.sid_from_eio_sid(socket_client.eio_sid, "/")
    return set(manager.get_rooms(sid, "/")) - {sid}


@pytest.fixture
def connect(app):
    """``connect(user=None, token=None, auth=None)`` → a Socket.IO test client.

    With ``user`` the connection carries that user's session cookie; with ``token`` it sends
    ``auth={"token": token}``; ``auth`` is sent as given.
    """
    clients = []

    def open_client(user=None, token=None, auth=None):
        flask_client = app.test_client()
        if user is not None:
            sign_in(flask_client, user)
        db.session.commit()
        if token is not None:
            auth = {"token": token}
        # The test's app context is shared by every handler here (the server gives each its
        # own): forget the user Flask-Login cached for the previous connection.
        g.pop("_login_user", None)
        socket_client = socketio.test_client(app, flask_test_client=flask_client, auth=auth)
        clients.append(socket_client)
        return socket_client

    yield open_client
    for socket_client in clients:
        if socket_client.is_connected():
            socket_client.disconnect()
