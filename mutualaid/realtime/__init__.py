"""Live updates over Socket.IO: the outbox emits after commit, sockets check every room."""
from mutualaid.extensions import socketio


def init_app(app):
    """Bind Socket.IO (threading mode; a Redis message queue when configured)."""
    from mutualaid.realtime import sockets  # noqa: F401  (registers the handlers)

    host_origins = app.config["SOCKETIO_ALLOWED_ORIGINS"] or None
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        cors_allowed_origins=host_origins,
        manage_session=False,
    )
