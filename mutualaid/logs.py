"""Structured request logs: one JSON line per request with a request id, never a secret.

The id comes from a trusted proxy's ``X-Request-ID`` (when it looks like one) or is made
here; it is echoed in the response so a resident's report can be traced.
"""
import json
import logging
import re
import time
import uuid

from flask import g, request
from flask_login import current_user

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("mutualaid.requests")
# Secrets that travel in URLs: a kiosk's token (/kiosk/<token>), a ballot receipt (it shows
# how someone voted), and token-like query parameters.
_SECRETS_IN_URLS = (
    (re.compile(r"((?:^|[\s\"])/kiosk/)[^/?\s\"]+"), r"\1[redacted]"),
    (re.compile(r"(/receipts/)[^/?\s\"]+"), r"\1[redacted]"),
    (re.compile(r"([?&](?:token|code|pin|password)=)[^&\s\"]*", re.IGNORECASE), r"\1[redacted]"),
)


def redact(text):
    """``text`` (a path or an access-log line) with the secrets URLs may carry replaced."""
    for pattern, replacement in _SECRETS_IN_URLS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Access logs of the embedded server and gunicorn print request lines: redact them."""

    def filter(self, record):
        record.msg, record.args = redact(record.getMessage()), ()
        return True


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line."""

    def format(self, record):
        entry = {"at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _start():
    """Give the request an id and note when it started."""
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response):
    """Echo the id and log the request: method, path (no query: it may hold tokens), status."""
    response.headers["X-Request-ID"] = g.get("request_id", "")
    user = current_user if current_user and current_user.is_authenticated else None
    logger.info("request", extra={"fields": {
        "request_id": g.get("request_id"), "method": request.method, "path": redact(request.path),
        "status": response.status_code, "user_id": user.id if user else None,
        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
    }})
    return response


def init_app(app):
    """Log requests as JSON lines to stderr (unless testing, where pytest captures logs)."""
    if not app.testing and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    for name in ("werkzeug", "gunicorn.access"):
        access = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in access.filters):
            access.addFilter(RedactSecrets())
    app.before_request(_start)
    app.after_request(_finish)
