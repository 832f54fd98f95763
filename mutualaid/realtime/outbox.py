"""The one interface domain code uses to announce changes: ``announce(event, payload, rooms)``.

Announcements wait in the database session and are emitted only after it commits (and are
dropped if it, or the savepoint they were made in, rolls back), so no client ever hears of a
change that did not happen. A failing emit (the Redis queue is down) is logged and forgotten:
the commit stands, the request answers normally, and clients catch up when they resync.
"""
import functools
import logging
from typing import Callable, NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.extensions import AFTER_COMMIT, db, socketio

OUTBOX = "realtime_outbox"  # session.info key: [(event, payload, rooms)], in order
_TAGS = "realtime_outbox_transactions"  # parallel list: the transaction each was made in
log = logging.getLogger(__name__)


class ReadAfterCommit(NamedTuple):
    """A payload read once the commit is complete, in a new transaction."""

    read: Callable[[], dict]


def announce(event, payload, rooms, session=None, *, after_commit=False):
    """Queue ``event`` for ``rooms``, to be emitted after the session's next commit.

    ``payload`` is a dict, or a function returning one: it is called just before the commit,
    after the final flush, so it sees ids and versions as they will be committed. With
    ``after_commit`` the function is called once the commit is complete instead: for a payload
    costly to read while the change holds a lock until its commit (a vote's turnout counts
    every ballot). It may then see later changes too; clients keep the highest version.
    """
    session = session or db.session()
    if after_commit:
        payload = ReadAfterCommit(payload)
    if not session.in_transaction():
        session.begin()  # so that a rollback or close with nothing else done still drops it
    transaction = session.get_nested_transaction() or session.get_transaction()
    entries, tags = _queue(session)
    entries.append((event, payload, list(rooms)))
    tags.append(transaction)


def pending(session=None):
    """What ``session`` will emit on commit: ``[(event, payload, rooms)]`` (for tests)."""
    session = session or db.session()
    return list(session.info.get(OUTBOX, []))


def _queue(session):
    """The session's announcements and their transactions (kept the same length)."""
    entries = session.info.setdefault(OUTBOX, [])
    tags = session.info.setdefault(_TAGS, [])
    if len(tags) != len(entries):  # someone emptied the outbox by hand: realign
        tags[:] = [None] * len(entries)
    return entries, tags


def _forget(session):
    """Drop every announcement of ``session``; returns them."""
    session.info.pop(_TAGS, None)
    return session.info.pop(OUTBOX, [])


def emit_now(event, payload, rooms):
    """Send one event to ``rooms`` at once; never raises (a lost event is resynced by clients)."""
    try:
        socketio.emit(event, payload, to=rooms)
        return True
    except Exception:  # the commit is done: a broken queue must not turn it into an error
        log.warning("could not emit %s to %s", event, rooms, exc_info=True)
        return False


@sa.event.listens_for(so.Session, "before_commit")
def _resolve_payloads(session):
    """Build deferred payloads from the flushed state, while the session can still query."""
    entries = session.info.get(OUTBOX)
    if not entries or session.get_nested_transaction() is not None:
        return
    if any(callable(payload) for _event, payload, _rooms in entries):
        session.flush()
        entries[:] = [(event, payload() if callable(payload) else payload, rooms)
                      for event, payload, rooms in entries]


def _read_and_emit(event, read, rooms, session):
    """Read a payload after the commit, in a transaction of its own, and send it (a failed
    read is logged, not raised: the commit stands)."""
    try:
        payload = read()
    except Exception:
        log.warning("could not read %s for %s", event, rooms, exc_info=True)
        return
    finally:
        session.rollback()  # end the read (on SQLite it holds the write lock)
    emit_now(event, payload, rooms)


@sa.event.listens_for(so.Session, "after_commit")
def _emit_after_commit(session):
    """Send what the committed transaction announced, in announcement order; payloads read
    after the commit follow, once it is complete."""
    for event, payload, rooms in _forget(session):
        if isinstance(payload, ReadAfterCommit):
            session.info.setdefault(AFTER_COMMIT, []).append(
                functools.partial(_read_and_emit, event, payload.read, rooms))
        else:
            emit_now(event, payload, rooms)


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction):
    """A rolled-back change was never made: forget what it (or a savepoint in it) announced."""
    if not session.info.get(OUTBOX):
        return
    if not previous_transaction.nested:
        _forget(session)
        return
    entries, tags = _queue(session)
    kept = [(entry, tag) for entry, tag in zip(entries, tags)
            if not _within(tag, previous_transaction)]
    entries[:] = [entry for entry, _tag in kept]
    tags[:] = [tag for _entry, tag in kept]


@sa.event.listens_for(so.Session, "after_transaction_end")
def _drop_unfinished(session, transaction):
    """A session closed without commit or rollback made nothing: forget its announcements."""
    if transaction.parent is None and not transaction.nested:
        _forget(session)


def _within(transaction, ancestor):
    """True when ``transaction`` is ``ancestor`` or nested inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
