"""Structured request logs: one JSON line per request with a request id, never a secret.

The id comes from a trusted proxy's ``X-Request-ID`` (when it looks like one) or is made
here; it is echoed in the response so a resident's report can be traced.
"""
import collections
import itertools
import json
import logging
import os
import re
import secrets
import select
import threading
import time

import sqlalchemy as sa
from flask import g, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("mutualaid.requests")
# Secrets that travel in URLs: a kiosk's token (/kiosk/<token>), a ballot receipt (it shows
# how someone voted), and token-like query parameters. Each pattern comes with a fragment any
# match contains: most paths hold none, and a substring test is cheaper than a search.
_SECRETS_IN_URLS = (
    ("/kiosk/", re.compile(r"((?:^|[\s\"])/kiosk/)[^/?\s\"]+"), r"\1[redacted]"),
    ("/receipts/", re.compile(r"(/receipts/)[^/?\s\"]+"), r"\1[redacted]"),
    ("=", re.compile(r"([?&](?:token|code|pin|password)=)[^&\s\"]*", re.IGNORECASE),
     r"\1[redacted]"),
)


def redact(text):
    """``text`` (a path or an access-log line) with the secrets URLs may carry replaced."""
    for fragment, pattern, replacement in _SECRETS_IN_URLS:
        if fragment in text:
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
    logger.info("request", extra={"fields": {
        "request_id": g.get("request_id"), "method": request.method, "path": redact(request.path),
        "status": response.status_code, "user_id": _user_id(), "client": request.remote_addr,
        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
    }})
    return response


def _user_id():
    """The id of the user Flask-Login loaded for this request, if it did, read from the row's
    identity: never a query (after a failed transaction one would raise, and the request go
    unlogged)."""
    user = g.get("_login_user")
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


class LineWriter(logging.Handler):
    """Writes formatted records as lines to a file descriptor in batches: a request thread only
    queues its line, and a background thread writes the queue every ``interval`` seconds. A
    write releases the GIL, and one per request made a busy worker's threads queue for it
    again (see BENCHMARKS.md). A warning or worse is written at once, after the lines queued
    before it; the rest are written at exit, or lost with a killed process (``interval`` of
    request lines at most).

    Each write holds whole lines, at most PIPE_BUF bytes unless one line is longer: such a
    write to a pipe, or to a file opened for appending, never interleaves with another."""

    def __init__(self, fd=2, interval=0.2):
        super().__init__()
        self.fd, self.interval = fd, interval
        self.queued = collections.deque()  # append and popleft are thread-safe
        self._writing = threading.Lock()  # keeps batches in order; request threads never take it
        self._writer = None
        os.register_at_fork(after_in_child=self._forget_writer)

    def createLock(self):
        self.lock = None  # acquire()/release() do nothing: emit only appends to the queue

    def emit(self, record):
        try:
            self.queued.append((self.format(record) + "\n").encode())
            if record.levelno >= logging.WARNING:
                self.flush()
            elif self._writer is None:
                self._start_writer()
        except Exception:  # noqa: BLE001 - logging must never fail a request
            self.handleError(record)

    def flush(self):
        """Write every queued line now."""
        with self._writing:
            batch = b""
            while self.queued:
                line = self.queued.popleft()
                if batch and len(batch) + len(line) > select.PIPE_BUF:
                    self._write(batch)
                    batch = b""
                batch += line
            self._write(batch)

    def _write(self, data):
        while data:  # a pipe may take a long write in parts
            data = data[os.write(self.fd, data):]

    def _start_writer(self):
        with self._writing:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_every_interval,
                                                name="log-writer", daemon=True)
                self._writer.start()

    def _write_every_interval(self):
        while True:
            time.sleep(self.interval)
            try:
                self.flush()
            except OSError:
                pass  # the log stream is gone: there is nowhere to say so

    def _forget_writer(self):
        """In a forked child: the parent's writer thread and queued lines are not ours."""
        self._writer, self._writing = None, threading.Lock()
        self.queued.clear()


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
