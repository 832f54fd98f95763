"""Prometheus metrics at ``/metrics``: request latency by route, open sockets, events emitted,
database pool use, and what features count (``counter(...)``: notifications sent, jobs...).

Every instance of a deployment is its own process (one gunicorn worker each, deploy/),
scraped at its own address, so the process's default registry is right: no multiprocess mode.
``/metrics`` answers only to the internal network (``METRICS_ALLOW``: loopback by default) or
to ``Authorization: Bearer <METRICS_TOKEN>``; everyone else gets 404, and deploy/'s nginx does
not pass the path through at all.
"""
import hmac
import ipaddress
import time

from flask import Response, abort, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram,
                               generate_latest)

REQUEST_SECONDS = Histogram(
    "sharehut_request_seconds", "Time to answer an HTTP request, by route.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_EMITTED = Counter("sharehut_events_emitted_total",
                         "Socket.IO events emitted after a commit, by event.", ["event"])
EMIT_FAILURES = Counter("sharehut_emit_failures_total",
                        "Socket.IO events that could not be emitted (queue down).", ["event"])
OPEN_SOCKETS = Gauge("sharehut_open_sockets", "Engine.IO connections this instance holds.")
DB_POOL_IN_USE = Gauge("sharehut_db_pool_in_use", "Database connections checked out now.")
DB_POOL_SIZE = Gauge("sharehut_db_pool_size", "Database connections the pool keeps.")
_COUNTERS = {}


def counter(name, documentation, labels=()):
    """The counter ``sharehut_<name>_total``, made once however often features ask for it."""
    if name not in _COUNTERS:
        _COUNTERS[name] = Counter(f"sharehut_{name}_total", documentation, list(labels))
    return _COUNTERS[name]


def _start_timer():
    g.metrics_started = time.perf_counter()


def _observe(response):
    """Count the request under its route's rule (never its path: ids would explode the
    series), ``unmatched`` for 404s of unknown paths."""
    started = g.pop("metrics_started", None)
    if started is not None:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        REQUEST_SECONDS.labels(rule, request.method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started)
    return response


def _allowed():
    """The internal network, or the metrics token."""
    token = current_app.config["METRICS_TOKEN"]
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.config["METRICS_ALLOW"])


def metrics_view():
    """The metrics in Prometheus' text format (404 unless allowed)."""
    if not _allowed():
        abort(404)
    _read_gauges()
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)


def _read_gauges():
    """Gauges read when scraped: the open sockets and the database pool."""
    from mutualaid.core.extensions import db, socketio

    server = getattr(socketio, "server", None)
    OPEN_SOCKETS.set(len(getattr(getattr(server, "eio", None), "sockets", {}) or {}))
    pool = db.engine.pool
    DB_POOL_IN_USE.set(pool.checkedout() if hasattr(pool, "checkedout") else 0)
    DB_POOL_SIZE.set(pool.size() if hasattr(pool, "size") else 0)


def parse_networks(text):
    """``"127.0.0.1/32, 10.0.0.0/8"`` → networks (the METRICS_ALLOW setting)."""
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in text.split(",") if part.strip()]


def init_app(app):
    """Time every request and serve /metrics."""
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", metrics_view)
