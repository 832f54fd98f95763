"""Board periods: local dates of the community's time zone, as UTC bounds."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from mutualaid.core.database import utcnow

DEFAULT_DAYS = 30


def local_zone():
    """The communities' time zone (``TIMEZONE``, default Asia/Shanghai)."""
    return ZoneInfo(current_app.config.get("TIMEZONE")
                    or current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))


def period(start=None, end=None, now=None):
    """``(from_date, to_date, since, until)``: the dates (default the last 30 local days,
    today included) and the aware instants bounding them (``until`` exclusive)."""
    zone = local_zone()
    today = (now or utcnow()).astimezone(zone).date()
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    since = datetime.combine(start, time(), zone)
    until = datetime.combine(end + timedelta(days=1), time(), zone)
    return start, end, since, until
