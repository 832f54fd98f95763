"""The app's monotonic clock, for the in-process caches' lifetimes: ``time.monotonic`` unless
the app's config gives another (``MONOTONIC_CLOCK``, a callable: a test moves time for that
app only, never for the whole process)."""
import time

from flask import current_app


def monotonic():
    """Seconds on the current app's monotonic clock."""
    return current_app.config.get("MONOTONIC_CLOCK", time.monotonic)()
