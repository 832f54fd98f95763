"""What a kiosk's live board shows: what exists for its building right now."""
from datetime import datetime, time, timedelta, timezone

from mutualaid.catalogue.domain import sessions_between
from mutualaid.kiosk.schemas import board_session_schema

CHINA = timezone(timedelta(hours=8))


def today_bounds(now=None):
    """Start and end of today in China Standard Time, as aware datetimes."""
    now = (now or datetime.now(CHINA)).astimezone(CHINA)
    start = datetime.combine(now.date(), time(0), CHINA)
    return start, start + timedelta(days=1)


def board_for(kiosk):
    """The board data of a kiosk: its building, today's service sessions, orders and votes."""
    start, end = today_bounds()
    sessions = sessions_between(kiosk.community_id, start, end)
    return {
        "kiosk": {"id": kiosk.id, "name": kiosk.name, "building_id": kiosk.building_id,
                  "building_name": kiosk.building.name, "community_id": kiosk.community_id},
        "sessions": [board_session_schema.dump(session) for session in sessions],
        "orders": [],
        "votes": [],
    }
