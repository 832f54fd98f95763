"""What a kiosk's live board shows: what exists for its building right now."""
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from mutualaid.catalogue.domain import sessions_between
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.kiosk.schemas import board_session_schema

CHINA = timezone(timedelta(hours=8))
BOARD_ORDERS = 20
BOOKING_DAYS = timedelta(days=8)
LIVE_STATUSES = ("open", "accepted", "in_progress")


def today_bounds(now=None):
    """Start and end of today in China Standard Time, as aware datetimes."""
    now = (now or datetime.now(CHINA)).astimezone(CHINA)
    start = datetime.combine(now.date(), time(0), CHINA)
    return start, start + timedelta(days=1)


def board_for(kiosk):
    """The board data of a kiosk: its building, today's service sessions, orders and votes."""
    start, end = today_bounds()
    sessions = sessions_between(kiosk.community_id, start, end)
    upcoming = sessions_between(kiosk.community_id, utcnow(), start + BOOKING_DAYS)[:BOARD_ORDERS]
    return {
        "kiosk": {"id": kiosk.id, "name": kiosk.name, "building_id": kiosk.building_id,
                  "building_name": kiosk.building.name, "community_id": kiosk.community_id},
        "sessions": [board_session_schema.dump(session) for session in sessions],
        "upcoming": [board_session_schema.dump(session) for session in upcoming],
        "orders": open_orders(kiosk.building_id),
        "votes": open_votes(kiosk),
    }


def open_orders(building_id):
    """The building's visible orders that are open or under way, newest first (no contacts)."""
    from mutualaid.orders.models import Order
    from mutualaid.orders.publish import public_payload

    orders = db.session.scalars(
        sa.select(Order).where(Order.building_id == building_id, Order.hidden.is_(False),
                               Order.status.in_(LIVE_STATUSES))
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(BOARD_ORDERS)
    ).all()
    return [public_payload(order) for order in orders]


def _open_votes_select(kiosk):
    """Votes open now whose scope is the kiosk's building or its whole community."""
    from mutualaid.votes.models import Vote

    now = utcnow()
    return sa.select(Vote).where(
        Vote.community_id == kiosk.community_id,
        sa.or_(Vote.building_id == kiosk.building_id, Vote.building_id.is_(None)),
        Vote.closed_at.is_(None), Vote.opens_at <= now,
        sa.or_(Vote.closes_at.is_(None), Vote.closes_at > now))


def open_votes(kiosk):
    """The board's open votes, as the API answers them, oldest opening first."""
    from mutualaid.votes.domain import vote_payload
    from mutualaid.votes.models import Vote

    votes = db.session.scalars(_open_votes_select(kiosk).order_by(Vote.opens_at, Vote.id)).all()
    return [vote_payload(vote) for vote in votes]


def open_vote(kiosk, vote_id):
    """One of the board's open votes, or None (closed, not yet open, or not for this kiosk)."""
    from mutualaid.votes.models import Vote

    return db.session.scalar(_open_votes_select(kiosk).where(Vote.id == vote_id))
