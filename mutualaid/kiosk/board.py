"""What a kiosk's live board shows: what exists for its building right now."""
from datetime import datetime, time, timedelta, timezone

from mutualaid.catalogue.domain import sessions_between
from mutualaid.core.database import utcnow
from mutualaid.kiosk.schemas import board_session_schema
from mutualaid.orders.board import building_orders

CHINA = timezone(timedelta(hours=8))
BOARD_ORDERS = 20
BOOKING_DAYS = timedelta(days=8)


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
        "orders": building_orders(kiosk.building_id, BOARD_ORDERS),
        "votes": open_votes(kiosk),
    }


def open_votes(kiosk):
    """The board's open votes, as the API answers them, oldest opening first."""
    from mutualaid.votes.domain import open_votes_at, vote_payload

    return [vote_payload(vote) for vote in open_votes_at(kiosk.community_id, kiosk.building_id)]


def open_vote(kiosk, vote_id):
    """One of the board's open votes, or None (closed, not yet open, or not for this kiosk)."""
    from mutualaid.votes.domain import open_vote_at

    return open_vote_at(kiosk.community_id, kiosk.building_id, vote_id)
