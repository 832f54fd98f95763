"""Structured request logs: one JSON line per request with a request id, never a secret.

The id comes from a trusted proxy's ``X-Request-ID`` (when it looks like one) or is made
here; it is echoed in the response so a resident's report can be traced.
"""
import itertools
import json
import logging
import os
import re
import secrets
import time

from flask import g, request

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


def _new_request_id(prefix=secrets.token_hex(8), counter=itertools.count()):
    """32 hex digits, unique across processes: a random prefix per process and a counter
    (no system call per request, unlike uuid4)."""
    return f"{prefix}{next(counter):016x}"


def _start():
    """Give the request an id and note when it started."""
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else _new_request_id()
    g.started = time.perf_counter()


def _finish(response):
    """Echo the id and log the request: method, path (no query: it may hold tokens), status."""
    response.headers["X-Request-ID"] = g.get("request_id", "")
    user = g.get("_login_user")  # Flask-Login's, if the request loaded one: never load it here
    logger.info("request", extra={"fields": {
        "request_id": g.get("request_id"), "method": request.method, "path": redact(request.path),
        "status": response.status_code, "user_id": getattr(user, "id", None),
        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
    }})
    return response


class LineWriter(logging.Handler):
    """Writes each formatted record to a file descriptor in one ``write`` call, without the
    handler lock: request threads of a busy worker queued on that lock. One write of a line
    shorter than PIPE_BUF (4 KiB) to a pipe, or to a file opened for appending, is never
    interleaved with another."""

    def __init__(self, fd=2):
        super().__init__()
        self.fd = fd

    def createLock(self):
        self.lock = None  # acquire()/release() do nothing

    def emit(self, record):
        try:
            line = (self.format(record) + "\n").encode()
            while line:  # a pipe may take a long line in parts
                line = line[os.write(self.fd, line):]
        except Exception:  # noqa: BLE001 - logging must never fail a request
            self.handleError(record)


def init_app(app):
    """Log requests as JSON lines to stderr (unless testing, where pytest captures logs)."""
    if not app.testing and not logger.handlers:
        handler = LineWriter()
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
