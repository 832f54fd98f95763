"""What orders tell people who are not looking: a step to the other party, and a new need
to the best-matched helpers nearby (``order.nearby``), through ``notifications.notify``."""
from datetime import datetime, time

import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.notifications.domain import notify, sent_since
from mutualaid.notifications.quiet import local_zone

NEARBY_CANDIDATES = 10
NEARBY_PER_DAY = 5
# action: the kind it sends; who hears it is in ``_recipients``.
KINDS = {"accept": "order.accepted", "start": "order.started", "complete": "order.completed",
         "confirm": "order.confirmed", "withdraw": "order.withdrawn",
         "cancel": "order.cancelled"}


def order_moved(order, actor, action, previous_helper_id=None):
    """Tell the other party of a step of ``order`` (nothing for an expiry)."""
    kind = KINDS.get(action)
    if kind is None:
        return
    helper_id = order.helper_id or previous_helper_id
    recipients = _recipients(order, action, helper_id) - {actor.id if actor else None, None}
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(
        User.id.in_([order.requester_id, helper_id or order.requester_id]))).all())
    params = {"order_id": order.id, "title": order.title,
              "requester": names.get(order.requester_id, ""),
              "helper": names.get(helper_id, "")}
    notify(sorted(recipients), kind, params, f"/orders/{order.id}")


def _recipients(order, action, helper_id):
    """The requester hears of the helper's steps; the helper of the requester's."""
    if action in ("confirm",):
        return {helper_id}
    if action == "cancel":
        return {helper_id, order.requester_id}
    return {order.requester_id}


def notify_nearby(order_id, now=None):
    """``order.nearby`` to the top candidates of a new order who may see it, each helper at
    most ``NEARBY_PER_DAY`` a local day; run after the commit, off the request."""
    from mutualaid.orders.access import can_see
    from mutualaid.orders.matches import matches_for
    from mutualaid.orders.models import Order

    order = db.session.get(Order, order_id)
    if order is None or order.status != "open" or order.hidden:
        return []
    candidates = matches_for(order, limit=NEARBY_CANDIDATES * 2)
    users = {user.id: user for user in db.session.scalars(
        sa.select(User).where(User.id.in_([c.user_id for c in candidates])))}
    chosen = [c for c in candidates if can_see(users[c.user_id], order)][:NEARBY_CANDIDATES]
    today = sent_since([c.user_id for c in chosen], "order.nearby", _local_midnight(now))
    written = []
    for candidate in chosen:
        if today.get(candidate.user_id, 0) >= NEARBY_PER_DAY:
            continue
        written += notify([candidate.user_id], "order.nearby",
                          {"order_id": order.id, "title": order.title,
                           "distance_m": candidate.distance_m},
                          f"/orders/{order.id}", now=now)
    return written


def _local_midnight(now=None):
    """The start of the local day (``TIMEZONE``) that ``now`` falls in."""
    zone = local_zone()
    local = (now or datetime.now(zone)).astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)
