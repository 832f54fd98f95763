"""The periodic check: open appeals overdue at their level escalate by themselves (at the top
they get an ``overdue`` event, once per limit), and resolved appeals nobody rated in 7 days
close. One pass reads only what is due, through the ``(status, due_at)`` and
``(status, resolved_at)`` indexes.

It runs from ``flask --app app escalate-appeals`` (cron, or the background worker every
``APPEALS_CHECK_SECONDS``), and lazily before appeal reads, at most once per
``APPEALS_CHECK_SECONDS`` per process, like the orders' expiry.
"""
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from mutualaid.appeals import domain
from mutualaid.appeals.models import OPEN_STATUSES, Appeal
from mutualaid.core.database import utcnow
from mutualaid.core.errors import InvalidTransition
from mutualaid.core.extensions import db

BATCH = 500
KEY = "appeals_next_check"


def escalate_overdue(now=None):
    """Escalate (or at the top, mark) every open appeal past its due time; returns how many."""
    now = now or utcnow()
    done = 0
    while True:
        due = db.session.scalars(
            sa.select(Appeal).where(Appeal.status.in_(OPEN_STATUSES), Appeal.due_at <= now)
            .order_by(Appeal.due_at, Appeal.id).limit(BATCH)).all()
        for appeal in due:
            done += _one_overdue(appeal, now)
        if len(due) < BATCH:
            return done


def _one_overdue(appeal, now):
    """Move one overdue appeal up, or mark it at the top; 0 when someone acted first."""
    higher = domain.next_level(appeal)
    try:
        if higher is None:
            domain.note_overdue(appeal, now)
        else:
            domain.escalate_to(appeal, None, higher, domain._overdue_reason(appeal), now)
    except InvalidTransition:
        return 0
    return 1


def close_unrated(now=None):
    """Close every resolved appeal left unrated for 7 days; returns how many."""
    now = now or utcnow()
    limit = now - timedelta(days=domain.RATING_DAYS)
    closed = 0
    for appeal in db.session.scalars(sa.select(Appeal).where(
            Appeal.status == "resolved", Appeal.resolved_at <= limit)).all():
        try:
            domain.close_unrated(appeal, now)
            closed += 1
        except InvalidTransition:
            continue
    return closed


def run_checks(now=None):
    """One pass of both checks; returns ``(escalated or marked, closed)``."""
    now = now or utcnow()
    return escalate_overdue(now), close_unrated(now)


def check_on_read():
    """Run the checks (and commit) when the last run in this process is old enough."""
    state = current_app.extensions.setdefault(KEY, {"at": 0.0})
    if time.time() < state["at"]:
        return
    state["at"] = time.time() + float(current_app.config.get("APPEALS_CHECK_SECONDS", 60))
    if any(run_checks()):
        db.session.commit()
    else:
        db.session.rollback()  # end the read (SQLite: BEGIN IMMEDIATE holds the write lock)
