"""Web Push (VAPID, aes128gcm) with pywebpush: keys, allowed push services, subscriptions and
sending. The server only ever posts to an allowed push service (``PUSH_ALLOWED_HOSTS``)."""
import base64
import functools
import json
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import gettext as _
from py_vapid import Vapid
from pywebpush import WebPusher

from mutualaid.core import clock
from mutualaid.core.errors import ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.notifications.models import PushSubscription

DEFAULT_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com",
                 "web.push.apple.com", "*.notify.windows.com")
LOCAL_HOSTS = ("127.0.0.1", "localhost")
TTL = 24 * 3600
PAYLOAD_LIMIT = 4096
URGENT_PREFIXES = ("order.", "vote.")
GONE = (404, 410)
# The encrypted body's type, as RFC 8030's examples and browsers' own senders give it (some
# push services read no body without it).
PUSH_HEADERS = {"Content-Type": "application/octet-stream"}
VAPID_REUSE = 300  # seconds one signed VAPID header serves a push service
VAPID_LIFETIME = 3600  # its JWT's expiry ahead of signing (RFC 8292: at most 24 h)
_signed = {}  # (private key, subject, origin) -> (reuse until, on the app's clock; headers)
_signing = threading.Lock()  # senders run in parallel: one signs, the others reuse it
_key_lock = threading.Lock()


class PushFailed(Exception):
    """The push service did not take the message; the delivery is tried again later."""

    def __init__(self, message, gone=()):
        super().__init__(message)
        self.gone = list(gone)


def _b64(raw):
    """base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def private_key_b64():
    """``VAPID_PRIVATE_KEY`` (base64url of the raw 32-byte P-256 key); generated once into
    ``instance/vapid_private_key`` when it is not set."""
    configured = current_app.config.get("VAPID_PRIVATE_KEY")
    if configured:
        return configured
    path = Path(current_app.instance_path) / "vapid_private_key"
    with _key_lock:  # sender threads: one writes it, none reads it half written
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_suffix(".new")
            draft.write_text(_b64(key.private_numbers().private_value.to_bytes(32, "big")))
            draft.chmod(0o600)
            draft.replace(path)  # whole or not at all, for other processes too
        return path.read_text().strip()


def vapid():
    """The VAPID key pair as py_vapid's object."""
    return _vapid_of(private_key_b64())


@functools.lru_cache(maxsize=4)
def _vapid_of(private_key):
    """py_vapid's object for a key (parsed once, not once per message)."""
    return Vapid.from_raw(private_key.encode())


def vapid_headers(endpoint):
    """The VAPID ``Authorization`` header for the push service of ``endpoint``: signed once
    per service every ``VAPID_REUSE`` seconds, not once per message (a fan-out to thousands
    would otherwise sign thousands of identical claims)."""
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    subject = current_app.config.get("VAPID_SUBJECT") or "mailto:admin@localhost"
    key, now = (private_key_b64(), subject, origin), clock.monotonic()
    with _signing:
        reuse_until, headers = _signed.get(key, (None, None))
        if reuse_until is None or now >= reuse_until:
            claims = {"sub": subject, "aud": origin, "exp": int(time.time()) + VAPID_LIFETIME}
            headers = _vapid_of(key[0]).sign(claims)
            _signed[key] = (now + VAPID_REUSE, headers)
    return headers


def public_key_b64():
    """The application server key browsers subscribe with (uncompressed point, base64url)."""
    point = vapid().public_key.public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)
    return _b64(point)


def allowed_hosts():
    """``PUSH_ALLOWED_HOSTS`` entries (setting it replaces the browsers' default list)."""
    configured = current_app.config.get("PUSH_ALLOWED_HOSTS")
    if not configured:
        return DEFAULT_HOSTS
    return tuple(entry.strip().lower() for entry in configured.split(",") if entry.strip())


def endpoint_allowed(endpoint, hosts=None):
    """True when ``endpoint`` is an https URL (plain http only for a local test service) on
    an allowed ``host`` or ``host:port``, without user info."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or not host:
        return False
    netloc = host if port is None or (parts.scheme, port) == ("https", 443) else f"{host}:{port}"
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    for entry in hosts or allowed_hosts():
        if entry.startswith("*.") and ":" not in entry:
            if port is None and host.endswith(entry[1:]) and host != entry[2:]:
                return True
        elif netloc == entry:
            return True
    return False


def subscribe(user, endpoint, p256dh, auth):
    """Store ``user``'s subscription (an endpoint already stored moves to them); returns
    ``(subscription, created)``. Raises ValidationFailed ``push_endpoint_not_allowed``."""
    if not endpoint_allowed(endpoint):
        message = _("This push service is not allowed.")
        raise ValidationFailed(message, code="push_endpoint_not_allowed",
                               fields={"endpoint": [message]})
    row = db.session.scalar(sa.select(PushSubscription).where(
        PushSubscription.endpoint == endpoint))
    created = row is None
    if created:
        row = PushSubscription(endpoint=endpoint)
        db.session.add(row)
    row.user_id, row.p256dh, row.auth = user.id, p256dh, auth
    db.session.flush()
    return row, created


def unsubscribe(user, endpoint):
    """Forget ``user``'s subscription at ``endpoint`` (others' are left alone)."""
    db.session.execute(sa.delete(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id))


class _NoRedirects(requests.Session):
    """A push service's redirect is not followed: it could point anywhere. The environment's
    proxy settings are read once per push service, not once per message (reading them walks
    the whole environment: a fifth of a push's CPU time)."""

    def __init__(self):
        super().__init__()
        self._environment = {}  # origin -> settings

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies or stream is not None or verify is not None or cert is not None:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        origin = urlsplit(url)[:2]
        if origin not in self._environment:
            self._environment[origin] = super().merge_environment_settings(
                url, {}, None, None, None)
        return dict(self._environment[origin])


_sessions = threading.local()


def _session():
    """This thread's HTTP session: connections to a push service are kept and reused."""
    if not hasattr(_sessions, "value"):
        _sessions.value = _NoRedirects()
    return _sessions.value


def payload_of(notification, title, body):
    """The JSON a service worker shows: ``{id, kind, title, body, url}``, under 4 KB."""
    data = {"id": notification.id, "kind": notification.kind, "title": title, "body": body,
            "url": notification.url}
    encoded = json.dumps(data, ensure_ascii=False)
    while len(encoded.encode()) > PAYLOAD_LIMIT - 200 and data["body"]:
        data["body"] = data["body"][:len(data["body"]) // 2] + "…"
        encoded = json.dumps(data, ensure_ascii=False)
    return encoded


def subscriptions_by_user(user_ids):
    """``{user_id: [(id, endpoint, p256dh, auth)]}``: the users' subscriptions on allowed
    services, in one query."""
    found = {}
    if not user_ids:
        return found
    hosts = allowed_hosts()
    for row in db.session.execute(sa.select(
            PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint,
            PushSubscription.p256dh, PushSubscription.auth)
            .where(PushSubscription.user_id.in_(set(user_ids)))
            .order_by(PushSubscription.id)):
        if endpoint_allowed(row.endpoint, hosts):
            found.setdefault(row.user_id, []).append(
                (row.id, row.endpoint, row.p256dh, row.auth))
    return found


def urgency_of(kind):
    """``high`` for order and vote kinds (a helper waits, a vote closes), else ``normal``."""
    return "high" if kind.startswith(URGENT_PREFIXES) else "normal"


def send_push(data, urgency, subscriptions):
    """Push ``data`` (the JSON payload) to each subscription, outside any transaction;
    returns the ids of subscriptions that are gone (404/410). Other failures raise
    PushFailed, carrying the gone ids too."""
    gone, failures = [], []
    for subscription_id, endpoint, p256dh, auth in subscriptions:
        pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                           requests_session=_session())
        try:
            response = pusher.send(data, vapid_headers(endpoint) | PUSH_HEADERS
                                   | {"Urgency": urgency},
                                   ttl=TTL, content_encoding="aes128gcm", timeout=10)
        except requests.RequestException as error:
            failures.append(str(error)[:150])
            continue
        if response.status_code in GONE:
            gone.append(subscription_id)
        elif response.status_code > 202:
            failures.append(f"{response.status_code}: {response.reason}"[:150])
    if failures:
        raise PushFailed("; ".join(failures), gone)
    return gone


def forget_gone(subscription_ids):
    """Delete subscriptions the push service said are gone."""
    if subscription_ids:
        db.session.execute(sa.delete(PushSubscription).where(
            PushSubscription.id.in_(subscription_ids)))
