"""Web Push (VAPID, aes128gcm) with pywebpush: keys, allowed push services, subscriptions and
sending. The server only ever posts to an allowed push service (``PUSH_ALLOWED_HOSTS``)."""
import base64
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import gettext as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

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
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_b64(key.private_numbers().private_value.to_bytes(32, "big")))
        path.chmod(0o600)
    return path.read_text().strip()


def vapid():
    """The VAPID key pair as py_vapid's object."""
    return Vapid.from_raw(private_key_b64().encode())


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
    """A push service's redirect is not followed: it could point anywhere."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


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


def subscriptions_of(user_id):
    """``[(id, endpoint, p256dh, auth)]`` of a user's subscriptions on allowed services."""
    rows = db.session.execute(sa.select(
        PushSubscription.id, PushSubscription.endpoint, PushSubscription.p256dh,
        PushSubscription.auth).where(PushSubscription.user_id == user_id)).all()
    return [tuple(row) for row in rows if endpoint_allowed(row.endpoint)]


def urgency_of(kind):
    """``high`` for order and vote kinds (a helper waits, a vote closes), else ``normal``."""
    return "high" if kind.startswith(URGENT_PREFIXES) else "normal"


def send_push(data, urgency, subscriptions):
    """Push ``data`` (the JSON payload) to each subscription, outside any transaction;
    returns the ids of subscriptions that are gone (404/410). Other failures raise
    PushFailed, carrying the gone ids too."""
    key = vapid()
    subject = current_app.config.get("VAPID_SUBJECT") or "mailto:admin@localhost"
    gone, failures = [], []
    for subscription_id, endpoint, p256dh, auth in subscriptions:
        try:
            webpush({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}, data,
                    vapid_private_key=key, vapid_claims={"sub": subject}, ttl=TTL,
                    headers={"Urgency": urgency}, timeout=10, requests_session=_session())
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            if status in GONE:
                gone.append(subscription_id)
            else:
                failures.append(f"{status}: {error}"[:150])
        except requests.RequestException as error:
            failures.append(str(error)[:150])
    if failures:
        raise PushFailed("; ".join(failures), gone)
    return gone


def forget_gone(subscription_ids):
    """Delete subscriptions the push service said are gone."""
    if subscription_ids:
        db.session.execute(sa.delete(PushSubscription).where(
            PushSubscription.id.in_(subscription_ids)))
