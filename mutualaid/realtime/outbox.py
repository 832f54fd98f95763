"""The one interface domain code uses to announce changes: ``announce(event, payload, rooms)``.

Announcements wait in the database session and are emitted only after it commits (and are
dropped if it rolls back), so no client ever hears of a change that did not happen.
"""
import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.extensions import db, socketio

OUTBOX = "realtime_outbox"


def announce(event, payload, rooms, session=None):
    """Queue ``event`` with ``payload`` for ``rooms``, to be emitted after the next commit."""
    session = session or db.session()
    session.info.setdefault(OUTBOX, []).append((event, payload, list(rooms)))


@sa.event.listens_for(so.Session, "after_commit")
def _emit_after_commit(session):
    """Send what the committed transaction announced."""
    for event, payload, rooms in session.info.pop(OUTBOX, []):
        socketio.emit(event, payload, to=rooms)


@sa.event.listens_for(so.Session, "after_rollback")
def _drop_after_rollback(session):
    """A rolled-back change was never made: forget its announcements."""
    session.info.pop(OUTBOX, None)
