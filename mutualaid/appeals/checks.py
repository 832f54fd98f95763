"""The periodic check: open appeals overdue at their level escalate by themselves (at the top
they get an ``overdue`` event, once per limit), and resolved appeals nobody rated in 7 days
close. One pass reads only what is due, through the ``(status, due_at)`` and
``(status, resolved_at)`` indexes, and moves it 500 at a time as sets (``domain.move_many``):
a handful of statements per batch rather than several per appeal.

It runs from ``flask --app app escalate-appeals`` (cron, or the background worker every
``APPEALS_CHECK_SECONDS``), and lazily before appeal reads, at most once per
``APPEALS_CHECK_SECONDS`` per process, like the orders' expiry; a read moves one batch of
each at most (a backlog of thousands is the worker's, not a resident's page's, to wait on).
"""
import time
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from mutualaid.appeals import domain, limits
from mutualaid.appeals.models import OPEN_STATUSES, Appeal
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.streets import domain as streets

BATCH = 500
KEY = "appeals_next_check"


def escalate_overdue(now=None, batches=None):
    """Escalate (or at the top, mark) every open appeal past its due time, or the first
    ``batches`` batches of them; returns how many."""
    now = now or utcnow()
    in_a_street = {}  # community id: True when it has a street above it, read once a pass
    due = sa.select(Appeal).where(Appeal.status.in_(OPEN_STATUSES), Appeal.due_at <= now)
    return _in_batches(due.order_by(Appeal.due_at, Appeal.id),
                       lambda batch: _overdue_steps(batch, in_a_street, now), now, batches)


def _overdue_steps(appeals, in_a_street, now):
    """The step each overdue appeal takes: up a level, or at the top an ``overdue`` mark."""
    limits_of = limits.limits_by_community({appeal.community_id for appeal in appeals})
    reasons = {}  # translated once per level and limit, not once per appeal
    steps = []
    for appeal in appeals:
        if appeal.community_id not in in_a_street:
            in_a_street[appeal.community_id] = (
                streets.street_id_of(appeal.community_id) is not None)
        higher = domain.level_above(appeal.level, in_a_street[appeal.community_id])
        if higher is None:
            kind, values = "overdue", {"overdue_noted": limits.stage_of(appeal)}
        else:
            kind, values = "escalated", {"level": higher, "level_since": now,
                                         "overdue_noted": None}
        values["due_at"] = domain.due_after(appeal, appeal.status, values,
                                            limits_of[appeal.community_id])
        reason = (appeal.level, limits.stage_of(appeal))
        if reason not in reasons:
            reasons[reason] = domain._overdue_reason(appeal)
        steps.append((appeal, kind, reasons[reason], values))
    return steps


def close_unrated(now=None, batches=None):
    """Close every resolved appeal left unrated for 7 days (or the first ``batches``
    batches of them); returns how many."""
    now = now or utcnow()
    note = domain.unrated_note()
    unrated = sa.select(Appeal).where(
        Appeal.status == "resolved",
        Appeal.resolved_at <= now - timedelta(days=domain.RATING_DAYS))
    return _in_batches(unrated.order_by(Appeal.resolved_at, Appeal.id), lambda batch: [
        (appeal, "closed", note, {"closed_unrated": True, "due_at": None})
        for appeal in batch], now, batches)


def _in_batches(select, steps_of, now, batches=None):
    """Take ``BATCH`` appeals of ``select`` at a time and apply their steps, until fewer
    are left (each step takes an appeal out of ``select``) or ``batches`` are done;
    returns how many moved."""
    done = taken = 0
    while batches is None or taken < batches:
        # photos only when asked for: no step reads them (nor the public payload)
        batch = db.session.scalars(select.limit(BATCH).options(so.lazyload(Appeal.photos))
                                   .execution_options(populate_existing=True)).all()
        taken += 1
        if batch:
            done += len(domain.move_many(steps_of(batch), now))
        if len(batch) < BATCH:
            break
    return done


def run_checks(now=None, batches=None):
    """One pass of both checks (``batches`` of each at most); returns ``(escalated or
    marked, closed)``."""
    now = now or utcnow()
    return escalate_overdue(now, batches), close_unrated(now, batches)


def check_on_read():
    """Run the checks (and commit) when the last run in this process is old enough."""
    state = current_app.extensions.setdefault(KEY, {"at": 0.0})
    if time.time() < state["at"]:
        return
    state["at"] = time.time() + float(current_app.config.get("APPEALS_CHECK_SECONDS", 60))
    if any(run_checks(batches=1)):
        db.session.commit()
    else:
        db.session.rollback()  # end the read (SQLite: BEGIN IMMEDIATE holds the write lock)
