"""Which concurrency the process runs under: OS threads, or gevent's greenlets.

gunicorn's ``gevent`` worker (deploy/) monkey-patches the standard library before it loads the
app; ``python app.py``, the CLI and the tests do not. Code that must cooperate with greenlets
(Socket.IO's async mode, how many SQLite connections may wait at once) asks here.
"""
import sys


def under_gevent():
    """True when gevent has patched the standard library's sockets (gunicorn's gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")  # never import gevent just to ask
    return monkey is not None and monkey.is_module_patched("socket")


def socketio_async_mode():
    """Flask-SocketIO's async mode for this process: greenlets under gevent, else threads."""
    return "gevent" if under_gevent() else "threading"
