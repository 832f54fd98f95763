"""The delivery worker: sends due deliveries, and every minute moves on what time has made
due (``TIMED_JOBS``: a vote past its closing time or its objection days, an appeal overdue at
its level, an order past its window) and runs the periodic checks (``PERIODIC_CHECKS``: a vote
closing soon, a booking's reminder). Both lists are filled by mutualaid/features.py.

Embedded (``python app.py``) it is a thread of the server process, started by ``start``;
the CLI runs the same loop (``flask --app app notify-worker``) or one round of it
(``deliver-notifications``, ``notification-checks``); scale-out runs it from RQ workers
(``mutualaid/notifications/rq_jobs.py``).
"""
import logging
import threading
import time

from mutualaid.core.extensions import db
from mutualaid.notifications import delivery

PERIODIC_CHECKS = []  # functions (now=None) -> notices written; they flush
TIMED_JOBS = []  # functions (now=None) that change what time made due; they flush
CHECK_EVERY = 60.0  # seconds between periodic checks (closing_soon: at least once a minute)
log = logging.getLogger(__name__)


def run_checks(now=None):
    """Run every periodic check once, each committed on its own; returns notices written."""
    written = 0
    for check in PERIODIC_CHECKS:
        try:
            written += check(now) or 0
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("periodic check %s failed", check.__name__)
    return written


def run_timed_jobs(now=None):
    """Move on everything time has made due, each job committed on its own (what they
    announce or notify goes out after its commit)."""
    for job in TIMED_JOBS:
        try:
            job(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("timed job %s failed", job.__name__)


def run_once(now=None, checks=True):
    """One round: timed jobs and periodic checks (when asked), then every due delivery."""
    if checks:
        run_timed_jobs(now)
    written = run_checks(now) if checks else 0
    return written, delivery.deliver_due(now)


def loop(app, interval=1.0, stop=None):
    """Deliver every ``interval`` seconds and check every minute, until ``stop`` is set."""
    stop = stop or threading.Event()
    last_check = 0.0
    while not stop.is_set():
        with app.app_context():
            try:
                checks = time.monotonic() - last_check >= CHECK_EVERY
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
