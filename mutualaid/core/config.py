"""Configuration read from the environment (and an optional ``instance/config.py``)."""
import os
import secrets
from pathlib import Path

from mutualaid.core.metrics import parse_networks

INSTANCE_DIR = Path(__file__).resolve().parents[2] / "instance"


def _flag(name, default):
    """Read an on/off environment variable ("1", "true", "yes", "on" mean on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_dir):
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings for a real deployment; every value can come from the environment."""

    def __init__(self, instance_dir=INSTANCE_DIR):
        instance_dir = Path(instance_dir)
        self.INSTANCE_DIR = str(instance_dir)
        self.SECRET_KEY = _secret_key(instance_dir)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_dir / 'sharehut.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Seconds a bearer token read by this process is trusted before it is read again;
        # this process's own changes apply at once (mutualaid/accounts/token_cache.py).
        self.AUTH_CACHE_SECONDS = float(os.environ.get("AUTH_CACHE_SECONDS", "2"))
        # Connections each deploy instance (gunicorn's gevent worker) keeps to PostgreSQL.
        self.DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "20"))
        # Seconds a SQLite writer waits for the lock before the request answers 503.
        self.SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "10"))
        self.HOST = os.environ.get("HOST", "127.0.0.1")
        self.PORT = int(os.environ.get("PORT", "5000"))
        self.SEED_DEMO = _flag("SEED_DEMO", True)
        self.SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
        # Instances of one deployment share a channel; two deployments on one Redis must not.
        self.SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or "sharehut-socketio"
        # Seconds between pings of the queue; while it is down, sockets are dropped and clients
        # poll over HTTP (mutualaid/realtime/queue_watch.py). 0 turns the watcher off.
        self.SOCKETIO_QUEUE_WATCH = float(os.environ.get("SOCKETIO_QUEUE_WATCH", "5"))
        # Seconds between checks of live sockets' credentials: a revoked token, kiosk or
        # session is disconnected within this (mutualaid/realtime/credentials.py). 0: off.
        self.SOCKET_CREDENTIAL_CHECK = float(os.environ.get("SOCKET_CREDENTIAL_CHECK", "1"))
        # How many proxies in front (nginx: 1, see deploy/) whose X-Forwarded-For, -Proto and
        # -Host are believed: rate limits, logs and lock-outs then see the real client address.
        # 0 believes none (a client could claim any address).
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
        # Limits kept in Redis: while Redis is down, count in this process instead of failing
        # the request (the Redis outage fault test runs with limits on).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.MAX_CONTENT_LENGTH = 256 * 1024
        self.WTF_CSRF_CHECK_DEFAULT = False  # checked in one place, see accounts.auth
        self.WTF_CSRF_TIME_LIMIT = None
        self.BABEL_DEFAULT_LOCALE = "zh_CN"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.LANGUAGES = ["zh_CN", "en"]
        # Extra origins allowed to open a Socket.IO connection (the host's own is always
        # allowed; "*" is ignored on purpose).
        self.SOCKETIO_ALLOWED_ORIGINS = [
            o for o in os.environ.get("SOCKETIO_ALLOWED_ORIGINS", "").split(",") if o
        ]
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
        # /metrics answers the internal network (CIDRs) or a bearer token (mutualaid/core/metrics.py).
        self.METRICS_ALLOW = parse_networks(os.environ.get("METRICS_ALLOW", "127.0.0.1/32,::1/128"))
        self.METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
        self.TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")  # local days, quiet hours
        # Notifications (mutualaid/notifications): push services the server may post to
        # (empty: the browsers' own), VAPID keys (generated into instance/ when unset), SMS.
        self.PUSH_ALLOWED_HOSTS = os.environ.get("PUSH_ALLOWED_HOSTS", "")
        self.VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
        self.VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT") or "mailto:admin@localhost"
        self.SMS_BACKEND = os.environ.get("SMS_BACKEND", "log")
        self.SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
        # The embedded run delivers from a thread of its own; off where RQ workers deliver.
        self.NOTIFY_WORKER = _flag("NOTIFY_WORKER", True)
        self.NOTIFY_POLL_SECONDS = float(os.environ.get("NOTIFY_POLL_SECONDS", "1"))
        self.NOTIFY_SENDERS = int(os.environ.get("NOTIFY_SENDERS", "4"))
        self.NOTIFY_BACKGROUND = _flag("NOTIFY_BACKGROUND", True)
        # Scale-out: RQ workers on this Redis deliver (flask --app app notify-rq-worker).
        self.NOTIFY_QUEUE_URL = os.environ.get("NOTIFY_QUEUE_URL") or None
        # Uploaded photos and documents: outside static/, served only to those allowed.
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(instance_dir / "uploads")
        # Seconds between two checks of the appeals' time limits (escalation, unrated closing).
        self.APPEALS_CHECK_SECONDS = float(os.environ.get("APPEALS_CHECK_SECONDS", "60"))
        # Seconds a process keeps a built appeals board (DESIGN allows a lag of 5 s).
        self.APPEALS_BOARD_CACHE_SECONDS = float(os.environ.get("APPEALS_BOARD_CACHE_SECONDS",
                                                                "5"))
        # Pages, CSS, JS and SVG go out compressed to browsers that accept it. API answers
        # (small JSON for apps, kiosks and scripts) stay plain; streamed responses pass
        # untouched; Socket.IO never reaches Flask's response hooks.
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.COMPRESS_STREAMS = False  # static files are read whole first, see compression.py
        self.COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                                   "application/manifest+json", "image/svg+xml"]


class TestingConfig(Config):
    """A throw-away SQLite file in a temporary instance folder, rate limits off."""

    __test__ = False  # not a pytest test class

    def __init__(self, instance_dir):
        super().__init__(instance_dir)
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(instance_dir) / 'test.sqlite3'}"
        self.SEED_DEMO = False
        self.RATELIMIT_ENABLED = False
        self.SOCKETIO_MESSAGE_QUEUE = None
        self.SOCKETIO_QUEUE_WATCH = 0
        self.SOCKET_CREDENTIAL_CHECK = 0  # tests sweep when they mean to
        self.NOTIFY_BACKGROUND = False  # after-commit work runs at once (notifications)
        self.APPEALS_BOARD_CACHE_SECONDS = 0  # tests read the board right after a change
