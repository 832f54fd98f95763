"""Work to do once a commit is complete, off the request: ``after_commit(fn, *args)``.

The work waits in the session and is dropped if it rolls back. After the commit it goes to
one background thread of this process (``NOTIFY_BACKGROUND``, on by default), which runs it
in an app context of its own and commits; tests (off) run it right after the commit. What
it writes goes through ``notify``, so deliveries of it are as safe as any.
"""
import logging
import queue
import threading

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import after_this_request, current_app, has_request_context

from mutualaid.core.extensions import AFTER_COMMIT, db

PENDING = "notifications_after_commit"  # session.info key: [(fn, args)]
log = logging.getLogger(__name__)
_jobs = queue.Queue()
_thread = None
_thread_lock = threading.Lock()


def after_commit(fn, *args, session=None):
    """Run ``fn(*args)`` once the session's next commit is complete (never on rollback)."""
    session = session or db.session()
    session.info.setdefault(PENDING, []).append((fn, args))


@sa.event.listens_for(so.Session, "after_commit")
def _hand_over(session):
    """Once committed, the work leaves the transaction for the background."""
    for fn, args in session.info.pop(PENDING, []):
        session.info.setdefault(AFTER_COMMIT, []).append(
            lambda _session, fn=fn, args=args: _submit_after_request(fn, args))


def _submit_after_request(fn, args):
    """Inside a request, start the work once its answer is made: on SQLite every
    transaction holds the write lock, and the work's reads would make the request's last
    reads wait for them."""
    if not has_request_context():
        submit(fn, *args)
        return

    @after_this_request
    def _start(response):
        submit(fn, *args)
        return response


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _drop(session, previous_transaction):
    """Rolled back: the work was for a change that never happened."""
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def submit(fn, *args):
    """Run ``fn(*args)`` in the background thread (or now, when it is off) and commit."""
    app = current_app._get_current_object()
    if not app.config.get("NOTIFY_BACKGROUND", True):
        _run(fn, args)
        return
    _ensure_thread()
    _jobs.put((app, fn, args))


def wait():
    """Block until the background thread has done everything submitted (tests, benches)."""
    _jobs.join()


def _run(fn, args):
    """One piece of work, committed; a failure is logged, never raised at the caller."""
    try:
        fn(*args)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("background work %s failed", getattr(fn, "__name__", fn))


def _ensure_thread():
    """Start the background thread once per process."""
    global _thread
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="notify-background", daemon=True)
            _thread.start()


def _loop():
    """Take work in the order it came, each in a fresh app context."""
    while True:
        app, fn, args = _jobs.get()
        try:
            with app.app_context():
                _run(fn, args)
                db.session.remove()
        finally:
            _jobs.task_done()
