"""Recently read bearer tokens, kept per process so that an API call need not look its token
up in the database each time (most of what a cached board request used to cost).

The cache holds detached copies of the token row with its user, unit and building as they
were read; each request gets its own copy, bound to its session, through
``Session.merge(load=False)``, which emits no SQL. Expiry is checked on every use.

Staleness bound: a commit in this process that changes users, tokens, staff memberships,
units or buildings empties the cache at once (sign-out, revocation, verification, new staff
take effect at once here); a change committed by another process (another instance, the CLI)
is seen after at most ``AUTH_CACHE_SECONDS`` (default 2; 0 turns the cache off).
"""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from mutualaid.core import clock
from mutualaid.accounts.models import ApiToken, StaffMembership, User
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Unit

WATCHED = (User, ApiToken, StaffMembership, Unit, Building)
MAX_TOKENS = 10_000  # the memory bound: a full cache starts afresh
_CACHE = "accounts_token_cache"  # app.extensions key
_CHANGED = "accounts_changed"  # session.info key: the transaction changed a watched row


def fetch(digest, read):
    """The ApiToken of ``digest`` in the request's session, or None; ``read(session, digest)``
    loads it (with user, unit and building) when the cache has no fresh copy."""
    ttl = current_app.config["AUTH_CACHE_SECONDS"]
    session = db.session()
    if ttl <= 0 or session.identity_map:
        # A merge would copy cached values over rows the session holds (and may have changed).
        return read(session, digest)
    cache = _cache()
    now = clock.monotonic()
    hit = cache["tokens"].get(digest)
    if hit is not None and hit[0] > now:
        return session.merge(hit[1], load=False)
    generation = cache["generation"]
    token = read(session, digest)
    if token is not None and cache["generation"] == generation:  # nothing changed meanwhile
        if len(cache["tokens"]) >= MAX_TOKENS:
            cache["tokens"].clear()
        cache["tokens"][digest] = (now + ttl, _detached_copy(token))
    return token


def _detached_copy(obj):
    """A copy of ``obj`` and what it has loaded, attached to no session."""
    with so.Session() as scratch:
        return scratch.merge(obj, load=False)


def _cache():
    return current_app.extensions.setdefault(_CACHE, {"tokens": {}, "generation": 0})


def clear(app):
    """Forget every cached token of ``app`` (its next requests read them afresh)."""
    cache = app.extensions.get(_CACHE)
    if cache is not None:
        cache["generation"] += 1
        cache["tokens"] = {}


def _mark(session):
    session.info[_CHANGED] = True


@sa.event.listens_for(so.Session, "after_flush")
def _note_changes(session, _context):
    """Note a flush that wrote a watched row."""
    if any(isinstance(obj, WATCHED)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        _mark(session)


@sa.event.listens_for(so.Session, "do_orm_execute")
def _note_bulk_changes(state):
    """Note an UPDATE or DELETE statement on a watched table."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and issubclass(state.bind_mapper.class_, WATCHED):
        _mark(state.session)


@sa.event.listens_for(so.Session, "after_commit")
def _clear_after_commit(session):
    if session.info.pop(_CHANGED, False) and current_app:
        clear(current_app._get_current_object())


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _keep_after_rollback(session, previous_transaction):
    """A rolled-back transaction changed nothing (savepoints keep the outer mark)."""
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)
