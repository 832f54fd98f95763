"""Quiet hours: push and SMS wait until they end (local time); the inbox never waits."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

DEFAULT_QUIET = ("22:00", "07:00")


def local_zone():
    """The community's time zone (``TIMEZONE``, default Asia/Shanghai)."""
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Shanghai")


def parse_hhmm(text):
    """``"22:00"`` → ``time(22, 0)``; raises ValueError for anything else."""
    hours, minutes = text.split(":")
    if len(hours) != 2 or len(minutes) != 2:
        raise ValueError(text)
    return time(int(hours), int(minutes))


def quiet_until(start, end, now):
    """When quiet hours ``start``–``end`` (``"HH:MM"``, may cross midnight) containing
    ``now`` end, or None when ``now`` is outside them (or they are off)."""
    if start is None or end is None or start == end:
        return None
    zone = local_zone()
    local = now.astimezone(zone)
    begin, finish, clock = parse_hhmm(start), parse_hhmm(end), local.time()
    inside = begin <= clock < finish if begin < finish else clock >= begin or clock < finish
    if not inside:
        return None
    ends = datetime.combine(local.date(), finish, tzinfo=zone)
    if ends <= local:
        ends = datetime.combine(local.date() + timedelta(days=1), finish, tzinfo=zone)
    return ends
