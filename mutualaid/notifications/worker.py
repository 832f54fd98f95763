"""The delivery worker: sends due deliveries, and every minute runs what is on the clock
(mutualaid/core/scheduler.py: what time made due, then the periodic checks).

Embedded (``python app.py``) it is a thread of the server process, started by ``start``;
the CLI runs the same loop (``flask --app app notify-worker``) or one round of it
(``deliver-notifications``, ``notification-checks``); scale-out runs it from RQ workers
(``mutualaid/notifications/rq_jobs.py``).
"""
import logging
import threading
import time

from mutualaid.core import scheduler
from mutualaid.core.extensions import db
from mutualaid.notifications import delivery

log = logging.getLogger(__name__)


def run_once(now=None, checks=True):
    """One round: timed jobs and periodic checks (when asked), then every due delivery."""
    if checks:
        scheduler.run_timed_jobs(now)
    written = scheduler.run_checks(now) if checks else 0
    return written, delivery.deliver_due(now)


def loop(app, interval=1.0, stop=None):
    """Deliver every ``interval`` seconds and check every minute, until ``stop`` is set."""
    stop = stop or threading.Event()
    last_check = 0.0
    while not stop.is_set():
        with app.app_context():
            try:
                checks = time.monotonic() - last_check >= scheduler.EVERY
                if checks:
                    last_check = time.monotonic()
                run_once(checks=checks)
            except Exception:  # the database is away: try again next round
                db.session.rollback()
                log.exception("delivery round failed")
            finally:
                db.session.remove()
        stop.wait(interval)


def start(app, interval=None):
    """Start the worker thread of the embedded run; returns its stop event."""
    stop = threading.Event()
    interval = interval or float(app.config.get("NOTIFY_POLL_SECONDS", 1.0))
    thread = threading.Thread(target=loop, args=(app, interval, stop),
                              name="notify-worker", daemon=True)
    thread.start()
    return stop
