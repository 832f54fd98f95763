"""The one interface domain code uses to announce changes: ``announce(event, payload, rooms)``.

Announcements wait in the database session and are emitted only after it commits (and are
dropped if it, or the savepoint they were made in, rolls back), so no client ever hears of a
change that did not happen. A failing emit (the Redis queue is down) is logged and forgotten:
the commit stands, the request answers normally, and clients catch up when they resync.
"""
import functools
import logging
import threading
from typing import Callable, NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.extensions import AFTER_COMMIT, db, socketio
from mutualaid.core.metrics import EMIT_FAILURES, EVENTS_EMITTED

OUTBOX = "realtime_outbox"  # session.info key: [(event, payload, rooms)], in order
_TAGS = "realtime_outbox_transactions"  # parallel list: the transaction each was made in
log = logging.getLogger(__name__)
# latest_of keys being read after a commit in this process: True once another commit asked
# for a read while that one ran (see _read_and_emit).
_reading = {}
_reading_lock = threading.Lock()


class ReadAfterCommit(NamedTuple):
    """A payload read once the commit is complete, in a new transaction."""

    read: Callable[[], dict]
    latest_of: object = None


def announce(event, payload, rooms, session=None, *, after_commit=False, latest_of=None):
    """Queue ``event`` for ``rooms``, to be emitted after the session's next commit.

    ``payload`` is a dict, or a function returning one: it is called just before the commit,
    after the final flush, so it sees ids and versions as they will be committed. With
    ``after_commit`` the function is called once the commit is complete instead: for a payload
    costly to read while the change holds a lock until its commit (a vote's turnout counts
    every ballot). It may then see later changes too; clients keep the highest version.

    ``latest_of`` (with ``after_commit``) names what the payload describes, e.g. ``("vote",
    7)``: commits in this process that announce it while a read of it runs are answered by one
    more read after that one, which sees them all, instead of one read each (a burst of
    ballots at a busy vote recounted the electorate once per ballot). That read goes to the
    rooms of the first: use it where every commit announces to the same rooms.
    """
    session = session or db.session()
    if after_commit:
        payload = ReadAfterCommit(payload, latest_of)
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
        EVENTS_EMITTED.labels(event).inc()
        return True
    except Exception:  # the commit is done: a broken queue must not turn it into an error
        log.warning("could not emit %s to %s", event, rooms, exc_info=True)
        EMIT_FAILURES.labels(event).inc()
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


def _read_and_emit(event, read, rooms, latest_of, session):
    """Read a payload after the commit, in a transaction of its own, and send it; again while
    other commits asked for ``latest_of`` during the read (see ``announce``)."""
    if latest_of is not None and not _start_reading(latest_of):
        return  # the thread reading it now reads once more, and sees this commit
    done = False
    try:
        while not done:
            _read_once_and_emit(event, read, rooms, session)
            done = latest_of is None or _finish_reading(latest_of)
    finally:
        if not done:  # only if the read raised past its own handler
            with _reading_lock:
                _reading.pop(latest_of, None)


def _start_reading(key):
    """Claim the read of ``key``; False (and a request for one more read) if it is taken."""
    with _reading_lock:
        if key in _reading:
            _reading[key] = True
            return False
        _reading[key] = False
        return True


def _finish_reading(key):
    """True when nobody asked for ``key`` during the read (it is released), else False."""
    with _reading_lock:
        if _reading[key]:
            _reading[key] = False
            return False
        del _reading[key]
        return True


def _read_once_and_emit(event, read, rooms, session):
    """Read the payload (a failed read is logged, not raised: the commit stands) and send it."""
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
                functools.partial(_read_and_emit, event, payload.read, rooms, payload.latest_of))
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
