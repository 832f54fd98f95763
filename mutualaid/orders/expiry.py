"""Lazy expiry on reads without a query on every read.

The contract: an open order past its window shows as ``expired``. Reads used to run the
expiry (a SELECT of due orders, then an UPDATE and a commit when any) on every GET. Now each
process remembers the earliest time anything can fall due, and reads run the expiry only
once that time has come: the next ``window_end`` of an open order, but never more than
``ORDERS_EXPIRY_RECHECK`` seconds (default 5) ahead, because an order posted through another
instance may have an earlier window. So within one instance expiry is exact; across
instances an order shows ``expired`` at most that many seconds late (the ``expire-orders``
cron job stays the backstop).
"""
import time

import sqlalchemy as sa
from flask import current_app

from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.orders import domain
from mutualaid.orders.models import Order

KEY = "orders_next_expiry_check"


def _state():
    return current_app.extensions.setdefault(KEY, {"at": 0.0})


def expire_due_on_read():
    """Expire due open orders (and commit) if one may be due; cheap when none can be."""
    state = _state()
    if time.time() < state["at"]:
        return
    if domain.expire_due_orders():
        db.session.commit()
    recheck = float(current_app.config.get("ORDERS_EXPIRY_RECHECK", 5))
    next_end = db.session.scalar(sa.select(sa.func.min(Order.window_end)).where(
        Order.status == "open", Order.window_end.is_not(None)))
    db.session.rollback()  # end the read (SQLite: BEGIN IMMEDIATE holds the write lock)
    horizon = time.time() + recheck
    if next_end is not None:
        horizon = min(horizon, time.time() + (next_end - utcnow()).total_seconds())
    state["at"] = horizon


def order_posted(order):
    """An order posted in this process with a window: check again when it ends."""
    if order.window_end is not None:
        state = _state()
        state["at"] = min(state["at"], time.time() + (order.window_end - utcnow()).total_seconds())


def forget():
    """Check at the next read (after anything that changed windows behind our back)."""
    _state()["at"] = 0.0
