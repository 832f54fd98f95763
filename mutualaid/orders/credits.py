"""Time credits (志愿时长): the append-only ledger, balances, helper statistics for matching
and the monthly thank-you board."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.orders.models import CreditEntry, Order

CHINA = timezone(timedelta(hours=8))


def credit_helper(order, now=None):
    """Credit the order's helper the minutes reported at completion (once per order)."""
    entry = CreditEntry(user_id=order.helper_id, order_id=order.id, minutes=order.minutes,
                        kind="helped", at=now or utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def balance_minutes(user_id):
    """The user's credited minutes in total."""
    total = db.session.scalar(sa.select(sa.func.sum(CreditEntry.minutes))
                              .where(CreditEntry.user_id == user_id))
    return int(total or 0)


def ledger_select(user_id):
    """A select of the user's ledger entries, newest first."""
    return (sa.select(CreditEntry).where(CreditEntry.user_id == user_id)
            .order_by(CreditEntry.at.desc(), CreditEntry.id.desc()))


def helper_stats(user_ids):
    """Matching's StatsLoader: per user, orders completed (or confirmed), current load
    (accepted or in progress) and the average and count of ratings received."""
    from mutualaid.matching.ranking import HelperStats

    ids = list(set(user_ids))
    if not ids:
        return {}
    done = sa.func.sum(sa.case((Order.status.in_(("completed", "confirmed")), 1), else_=0))
    active = sa.func.sum(sa.case((Order.status.in_(("accepted", "in_progress")), 1), else_=0))
    rows = db.session.execute(
        sa.select(Order.helper_id, done, active, sa.func.avg(Order.rating),
                  sa.func.count(Order.rating))
        .where(Order.helper_id.in_(ids)).group_by(Order.helper_id)
    )
    stats = {}
    for helper_id, completed, load, rating_avg, rating_count in rows:
        stats[helper_id] = HelperStats(
            completed=int(completed or 0), active=int(load or 0),
            rating_avg=round(float(rating_avg), 2) if rating_avg is not None else None,
            rating_count=int(rating_count or 0),
        )
    return stats


def month_start(now=None):
    """The start of the current month in China Standard Time (the board's month)."""
    local = (now or utcnow()).astimezone(CHINA)
    return datetime(local.year, local.month, 1, tzinfo=CHINA)


def thanks_board(community_id, now=None, limit=10):
    """The community's most helpful neighbours this month: credited minutes, most first."""
    start = month_start(now)
    minutes = sa.func.sum(CreditEntry.minutes).label("minutes")
    rows = db.session.execute(
        sa.select(User.id, User.display_name, minutes, sa.func.count(CreditEntry.id))
        .join(CreditEntry, CreditEntry.user_id == User.id)
        .join(Order, Order.id == CreditEntry.order_id)
        .where(Order.community_id == community_id, CreditEntry.at >= start)
        .group_by(User.id, User.display_name)
        .order_by(minutes.desc(), User.id).limit(limit)
    )
    items = [{"user_id": uid, "display_name": name, "minutes": int(total), "orders": count}
             for uid, name, total, count in rows]
    return {"month": start.strftime("%Y-%m"), "items": items}
