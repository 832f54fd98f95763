"""The app's clocks: ``monotonic`` for the in-process caches' lifetimes (``time.monotonic``
unless the config gives another, ``MONOTONIC_CLOCK``), and ``now`` for rules that depend on
the date (``utcnow`` unless the config gives another, ``WALL_CLOCK``). Both are callables a
test sets to move time for that app only, never for the whole process."""
import time

from flask import current_app

from mutualaid.core.database import utcnow


def monotonic():
    """Seconds on the current app's monotonic clock."""
    return current_app.config.get("MONOTONIC_CLOCK", time.monotonic)()


def now():
    """The current time (timezone-aware, UTC) on the current app's wall clock."""
    return current_app.config.get("WALL_CLOCK", utcnow)()
