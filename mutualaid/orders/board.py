"""The community board: the same public view of a community's open orders for every viewer,
kept as ready JSON bytes per community in a small per-process cache (nothing in it is
translated: one copy serves every language).

A rebuild (after any change to the community's orders) reads which orders are on the board
with their versions, and reuses each one's JSON from a per-process cache while its version
and the names shown with it are the same: loading and dumping 50 orders through the ORM was
most of a busy instance's CPU (bench/load.py), and one change alters one order.

Staleness bound: within one process a change is seen at once (``order_created`` /
``order_updated`` mark the community, and the entry is dropped when that transaction
commits); changes made through another process show after at most ``BOARD_CACHE_SECONDS``
(default 2; 0 disables the cache and every request is built fresh), plus the time of one
rebuild, during which other requests still get the expired copy.
"""
import threading

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from mutualaid.core import clock
from mutualaid.accounts.models import User
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.orders.access import LIST_LOADS
from mutualaid.orders.models import Order
from mutualaid.orders.schemas import order_dumper
from mutualaid.places.models import Community

BOARD_SIZE = 50
LIVE_STATUSES = ("open", "accepted", "in_progress")
MAX_ORDERS = 5_000  # the memory bound of the per-order JSON: a full cache starts afresh
_CACHE = "orders_board_cache"  # app.extensions key, see _cache()
_CHANGED = "orders_board_changed"  # session.info key: community ids changed in the transaction


def _cache():
    """This process's boards, a lock per board (one thread rebuilds it), a per-community count
    of invalidations (so that a board read before a change but finished after it is not
    stored), and the JSON of the orders boards showed (see ``_render``)."""
    return current_app.extensions.setdefault(
        _CACHE, {"boards": {}, "locks": {}, "generations": {}, "orders": {}})


def board_json(community_id):
    """The board of ``community_id`` as JSON bytes: ``{"items": [...], "version": n}``."""
    ttl = float(current_app.config.get("BOARD_CACHE_SECONDS", 2))
    if ttl <= 0:
        return _render(community_id, {})  # nothing kept: every order read and dumped
    cache = _cache()
    hit = cache["boards"].get(community_id)
    if hit is not None and hit[0] > clock.monotonic():
        return hit[1]
    lock = cache["locks"].setdefault(community_id, threading.Lock())
    if not lock.acquire(blocking=False):
        # Another thread is rebuilding this board: answer the expired copy (older by one
        # rebuild at most) or build one too. Never wait: a waiting thread may hold the
        # pooled connection the builder needs.
        return hit[1] if hit is not None else _render(community_id, cache["orders"])
    try:
        generation = cache["generations"].get(community_id, 0)
        body = _render(community_id, cache["orders"])
        if cache["generations"].get(community_id, 0) == generation:
            cache["boards"][community_id] = (clock.monotonic() + ttl, body)
        return body
    finally:
        lock.release()


def building_orders(building_id, limit):
    """A building's visible orders open or under way, newest first, as a non-party sees them
    (no contacts): the lobby kiosk's board."""
    dump = order_dumper(None)
    orders = db.session.scalars(
        sa.select(Order).where(Order.building_id == building_id, Order.hidden.is_(False),
                               Order.status.in_(LIVE_STATUSES))
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit).options(*LIST_LOADS))
    return [dump(order) for order in orders]


def _render(community_id, kept):
    """The board read now: open, not hidden orders, newest first, as a non-party sees them (no
    contact), as JSON bytes; ``version`` counts every change to the community's orders.
    ``kept`` maps (order id, version, requester's name, helper's name) to the order's JSON."""
    get_or_404(Community, community_id)
    requester, helper = so.aliased(User), so.aliased(User)
    rows = db.session.execute(
        sa.select(Order.id, Order.version, requester.display_name, helper.display_name)
        .join(requester, Order.requester_id == requester.id)
        .outerjoin(helper, Order.helper_id == helper.id)
        .where(Order.community_id == community_id, Order.status == "open",
               Order.hidden.is_(False))
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(BOARD_SIZE)).all()
    version = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Order.version), 0))
                                .where(Order.community_id == community_id))
    items = {row.id: kept.get(tuple(row)) for row in rows}
    items.update(_dump_orders([order_id for order_id, item in items.items() if item is None],
                              kept))
    db.session.rollback()  # end the read transaction
    listed = ", ".join(item for item in items.values() if item is not None)  # (deleted meanwhile)
    return f'{{"items": [{listed}], "version": {int(version)}}}'.encode()


def _dump_orders(order_ids, kept):
    """{id: JSON} of these orders, read now, each also kept for the next rebuild."""
    if not order_ids:
        return {}
    if len(kept) + len(order_ids) > MAX_ORDERS:
        kept.clear()
    dump, dumped = order_dumper(None), {}
    for order in db.session.scalars(
            sa.select(Order).where(Order.id.in_(order_ids)).options(*LIST_LOADS)):
        dumped[order.id] = current_app.json.dumps(dump(order), ensure_ascii=False)
        helper = order.helper.display_name if order.helper else None
        kept[order.id, order.version, order.requester.display_name, helper] = dumped[order.id]
    return dumped


def changed(community_id, session=None):
    """Mark the community's board stale once the current transaction commits."""
    session = session or db.session()
    session.info.setdefault(_CHANGED, set()).add(community_id)


def forget(community_id):
    """Drop the cached board of ``community_id`` in this process."""
    cache = _cache()
    generations = cache["generations"]
    generations[community_id] = generations.get(community_id, 0) + 1
    cache["boards"].pop(community_id, None)


@sa.event.listens_for(so.Session, "after_commit")
def _forget_after_commit(session):
    """Drop the boards the committed transaction changed."""
    for community_id in session.info.pop(_CHANGED, ()):
        forget(community_id)


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _keep_after_rollback(session, previous_transaction):
    """A rolled-back transaction changed nothing (savepoints keep the outer marks)."""
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)
