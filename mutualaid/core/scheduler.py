"""What runs on the clock, whoever drives it: the embedded worker thread and the CLI loop
(mutualaid/notifications/worker.py) or the RQ sweep in scale-out (rq_jobs.py). Both lists
are filled by mutualaid/features.py, the one place that knows every feature.

``TIMED_JOBS`` move on what time has made due (a vote past its closing time or its objection
days, an appeal overdue at its level, an order past its window); ``PERIODIC_CHECKS`` write
the reminders (a vote closing soon, a booking's reminder). Each is a function ``(now=None)``
that flushes; each is committed on its own, so one failing leaves the others' work done.
"""
import logging

from mutualaid.core.extensions import db

TIMED_JOBS = []  # functions (now=None) that change what time made due
PERIODIC_CHECKS = []  # functions (now=None) -> notices written
EVERY = 60.0  # seconds between rounds of both (closing_soon: at least once a minute)
log = logging.getLogger(__name__)


def run_timed_jobs(now=None):
    """Move on everything time has made due (what they announce or notify goes out after
    each job's commit)."""
    for job in TIMED_JOBS:
        _commit_each(job, now)


def run_checks(now=None):
    """Run every periodic check once; returns the notices written."""
    return sum(_commit_each(check, now) or 0 for check in PERIODIC_CHECKS)


def _commit_each(function, now):
    """Run one job and commit it; a failure is logged and rolled back, not raised."""
    try:
        result = function(now)
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("scheduled %s failed", function.__name__)
        return None
