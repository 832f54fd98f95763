"""Live updates over Socket.IO: the outbox emits after commit, sockets check every room."""
import socketio as python_socketio

from mutualaid.core.concurrency import socketio_async_mode
from mutualaid.core.extensions import socketio
from mutualaid.realtime.origins import origin_checker


def init_app(app):
    """Bind Socket.IO (threads, or greenlets in gunicorn's gevent worker; a Redis message
    queue when configured)."""
    from mutualaid.realtime import credentials, outbox, queue_watch, sockets  # noqa: F401

    socketio.init_app(
        app,
        async_mode=socketio_async_mode(),
        client_manager=client_manager(app.config),
        cors_allowed_origins=origin_checker(app.config["SOCKETIO_ALLOWED_ORIGINS"]),
        manage_session=False,
    )
    app.wsgi_app = socketio_paths_only(app.wsgi_app)
    queue_watch.start(app, socketio)
    credentials.start(app, socketio)


def socketio_paths_only(middleware):
    """Send only Socket.IO's own paths through its WSGI middleware, every other request
    straight to Flask: under gunicorn that middleware defines a class on each request, about
    4 % of the CPU of a cached board answer."""
    prefix, flask_app = middleware.engineio_path, middleware.wsgi_app

    def route(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(prefix):
            return middleware(environ, start_response)
        return flask_app(environ, start_response)

    return route


def client_manager(config):
    """How emits reach clients: in this process only, or through the Redis message queue.

    Always a fresh manager: ``socketio`` is one object, and an app built after another must not
    inherit the queue of the first. Redis gets a connect timeout so that an emit after a commit
    never hangs a request on an unreachable queue (it logs and carries on, see outbox).
    """
    url = config["SOCKETIO_MESSAGE_QUEUE"]
    if not url:
        return python_socketio.Manager()
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError("SOCKETIO_MESSAGE_QUEUE must be a redis:// or rediss:// URL")
    return python_socketio.RedisManager(
        url, channel=config["SOCKETIO_CHANNEL"],
        redis_options={"socket_connect_timeout": 2, "socket_keepalive": True,
                       "health_check_interval": 30})
