"""Order rules: who may post and move an order, and the lifecycle of DESIGN.md (who may
see one is in ``access.py``).

open → accepted → in_progress → completed → confirmed; the requester cancels while open or
accepted; the helper withdraws from accepted (back to open); open orders past their window
expire. Every step is one conditional UPDATE on the status the caller saw, so of two racing
requests exactly one wins (the other gets 409), on SQLite and PostgreSQL alike.

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_pgettext

from mutualaid.accounts.domain import community_of, require_staff_of, require_verified
from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Forbidden, InvalidTransition, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.matching.models import Offer
from mutualaid.matching.tags import validate_tags
from mutualaid.notifications.background import after_commit
from mutualaid.orders import credits, notices, publish
from mutualaid.orders.access import home_community_id, is_staff_for
from mutualaid.orders.models import Order, OrderEvent, OrderTag

# action: (statuses it may start from, status it leads to)
TRANSITIONS = {
    "accept": (("open",), "accepted"),
    "start": (("accepted",), "in_progress"),
    "complete": (("in_progress",), "completed"),
    "confirm": (("completed",), "confirmed"),
    "cancel": (("open", "accepted"), "cancelled"),
    "withdraw": (("accepted",), "open"),
    "expire": (("open",), "expired"),
}
ENDED = ("confirmed", "cancelled", "expired")
STATUS_NAMES = {
    "open": lazy_pgettext("order status", "Open"), "accepted": lazy_gettext("Accepted"),
    "in_progress": lazy_gettext("In progress"), "completed": lazy_gettext("Completed"),
    "confirmed": lazy_gettext("Confirmed"), "cancelled": lazy_gettext("Cancelled"),
    "expired": lazy_gettext("Expired"),
}


def create_order(actor, data, now=None):
    """Post a need for ``actor`` (or, for staff, ``on_behalf_of`` a resident of their
    community). Raises ValidationFailed (bad fields, unknown resident), Forbidden (not
    verified, not staff there)."""
    now = now or utcnow()
    requester = _requester_for(actor, data.get("on_behalf_of"))
    tags = validate_tags(data["tags"])
    _check_window(data.get("window_start"), data.get("window_end"), now)
    offer_id = data.get("offer_id")
    if offer_id is not None:
        _check_offer(offer_id, requester)
    order = Order(
        requester_id=requester.id, created_by_id=actor.id, title=data["title"],
        description=data.get("description") or "", urgency=data.get("urgency") or "normal",
        window_start=data.get("window_start"), window_end=data.get("window_end"),
        building_id=requester.unit.building_id, community_id=home_community_id(requester),
        offer_id=offer_id, status="open", version=1, created_at=now, updated_at=now,
        tag_rows=[OrderTag(tag=tag, position=i) for i, tag in enumerate(tags)],
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(OrderEvent(order_id=order.id, actor_id=actor.id, at=now, from_status=None,
                              to_status="open"))
    db.session.flush()
    publish.order_created(order)
    after_commit(notices.notify_nearby, order.id)
    return order


def _requester_for(actor, on_behalf_of):
    """The resident an order is for; staff may name one of their community."""
    if on_behalf_of is None:
        if actor.is_staff and actor.unit is None:
            message = _("Choose the resident this need is for.")
            raise ValidationFailed(message, fields={"on_behalf_of": [message]})
        requester = actor
    else:
        if not actor.is_staff:
            raise Forbidden(_("Only staff may post on behalf of someone."))
        requester = db.session.get(User, on_behalf_of)
        if requester is None:
            message = _("No such resident.")
            raise ValidationFailed(message, fields={"on_behalf_of": [message]})
    require_verified(requester)
    if requester is not actor:
        require_staff_of(actor, home_community_id(requester))
    return requester


def _check_window(start, end, now):
    """A window must end after it starts, and not in the past."""
    if end is not None and end <= now:
        message = _("The time window must end in the future.")
        raise ValidationFailed(message, fields={"window_end": [message]})
    if start is not None and end is not None and end <= start:
        message = _("The time window must end after it starts.")
        raise ValidationFailed(message, fields={"window_end": [message]})


def offer_owner_id(offer_id):
    """The owner of an offer, or None when there is no such offer."""
    offer = db.session.get(Offer, offer_id)
    return offer.owner_id if offer is not None else None


def _check_offer(offer_id, requester):
    """A directed order names an active offer of someone other than the requester, in the
    requester's community (nobody else could ever accept it)."""
    offer = db.session.get(Offer, offer_id)
    if offer is None or not offer.active or offer.owner_id == requester.id \
            or community_of(offer.owner) != community_of(requester):
        message = _("Choose an offer of another neighbour.")
        raise ValidationFailed(message, fields={"offer_id": [message]})


def accept_order(actor, order, now=None):
    """``actor`` takes an open order. Raises InvalidTransition (not open, or lost the race),
    Forbidden (own order, not verified, not vetted for a vulnerable requester, not the
    offer's owner for a directed order)."""
    _require_from(order, "accept")
    require_verified(actor)
    if actor.id == order.requester_id:
        raise Forbidden(_("You cannot accept your own order."), code="own_order")
    if order.requester.vulnerable and not actor.vetted:
        raise Forbidden(_("Only helpers vetted by staff may accept this order."),
                        code="not_vetted")
    if order.offer_id is not None and offer_owner_id(order.offer_id) != actor.id:
        raise Forbidden(_("This order is for one neighbour's offer only."),
                        code="not_offer_owner")
    return _move(order, actor, "accept", now, helper_id=actor.id)


def start_order(actor, order, now=None):
    """The helper starts the visit. Raises InvalidTransition, Forbidden."""
    _require_from(order, "start")
    _require_helper(actor, order)
    return _move(order, actor, "start", now)


def complete_order(actor, order, minutes, now=None):
    """The helper reports the work done and the minutes it took (1–600)."""
    _require_from(order, "complete")
    _require_helper(actor, order)
    if not 1 <= minutes <= 600:
        message = _("Report between 1 and 600 minutes.")
        raise ValidationFailed(message, fields={"minutes": [message]})
    return _move(order, actor, "complete", now, minutes=minutes)


def confirm_order(actor, order, rating, comment=None, now=None):
    """The requester (or staff for them) confirms the help happened and rates it 1–5; the
    helper is credited the reported minutes. Raises InvalidTransition, Forbidden."""
    _require_from(order, "confirm")
    if actor.id != order.requester_id and not is_staff_for(actor, order):
        raise Forbidden(_("Only the requester or staff may confirm this order."))
    if not 1 <= rating <= 5:
        message = _("Rate from 1 to 5.")
        raise ValidationFailed(message, fields={"rating": [message]})
    _move(order, actor, "confirm", now, rating=rating, comment=comment or None)
    credits.credit_helper(order, now=order.updated_at)
    return order


def cancel_order(actor, order, now=None):
    """The requester (or staff for them) withdraws the need while it is open or accepted."""
    _require_from(order, "cancel")
    if actor.id != order.requester_id and not is_staff_for(actor, order):
        raise Forbidden(_("Only the requester or staff may cancel this order."))
    return _move(order, actor, "cancel", now)


def withdraw_from_order(actor, order, now=None):
    """The helper hands an accepted order back; it is open again for others."""
    _require_from(order, "withdraw")
    _require_helper(actor, order)
    previous_helper = order.helper_id
    _move(order, actor, "withdraw", now, helper_id=None)
    publish.order_updated(order, extra_user_ids=[previous_helper])
    return order


def leave_orders(user):
    """A closing account: its open or accepted needs are cancelled, its accepted help handed
    back; orders under way or done stay as they are (the history of others too)."""
    for order in db.session.scalars(sa.select(Order).where(
            Order.requester_id == user.id, Order.status.in_(("open", "accepted")))).all():
        _move(order, user, "cancel")
    for order in db.session.scalars(sa.select(Order).where(
            Order.helper_id == user.id, Order.status == "accepted")).all():
        withdraw_from_order(user, order)


def expire_due_orders(now=None):
    """Expire every open order whose window has ended; returns how many expired."""
    now = now or utcnow()
    due = db.session.scalars(sa.select(Order).where(
        Order.status == "open", Order.window_end.is_not(None), Order.window_end <= now)).all()
    expired = 0
    for order in due:
        try:
            _move(order, None, "expire", now)
            expired += 1
        except InvalidTransition:
            continue  # someone accepted or cancelled it meanwhile
    return expired


def hide_order(actor, order, hidden=True):
    """Staff hide (or show again) a reported order; its open reports are resolved."""
    from mutualaid.orders.reports import resolve_reports

    require_staff_of(actor, order.community_id)
    _bump(order, hidden=hidden)
    if hidden:
        resolve_reports(actor, order)
    publish.order_updated(order)
    return order


def _require_from(order, action):
    """Raise InvalidTransition unless ``action`` may start from the order's status."""
    sources, target = TRANSITIONS[action]
    if order.status not in sources:
        raise InvalidTransition(_("This order is %(status)s; it cannot become %(target)s.",
                                  status=STATUS_NAMES[order.status],
                                  target=STATUS_NAMES[target]))


def _require_helper(actor, order):
    """Raise Forbidden unless ``actor`` is the order's helper."""
    if actor.id != order.helper_id:
        raise Forbidden(_("Only the helper of this order may do this."))


def _move(order, actor, action, now=None, **values):
    """Apply ``action`` with one conditional UPDATE on the status seen; record the event and
    announce it. Raises InvalidTransition when another request changed the order first."""
    now = now or utcnow()
    seen, target = order.status, TRANSITIONS[action][1]
    helper_before = order.helper_id
    result = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status == seen)
        .values(status=target, version=Order.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(order)
        raise InvalidTransition(_("Someone else changed this order first: it is %(status)s now.",
                                  status=STATUS_NAMES[order.status]))
    db.session.add(OrderEvent(order_id=order.id, actor_id=actor.id if actor else None, at=now,
                              from_status=seen, to_status=target))
    db.session.flush()
    db.session.refresh(order)
    if action != "withdraw":
        publish.order_updated(order)
    notices.order_moved(order, actor, action, helper_before)
    return order


def _bump(order, **values):
    """Change fields outside the lifecycle, with a new version for live clients."""
    db.session.execute(
        sa.update(Order).where(Order.id == order.id)
        .values(version=Order.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(order)


def events_of(order):
    """The order's timeline, oldest first."""
    return db.session.scalars(sa.select(OrderEvent).where(OrderEvent.order_id == order.id)
                              .order_by(OrderEvent.at, OrderEvent.id)).all()


def _ended_at():
    """SQL: when the order in the query reached its present status (its end, once ended)."""
    return (sa.select(sa.func.max(OrderEvent.at))
            .where(OrderEvent.order_id == Order.id, OrderEvent.to_status == Order.status)
            .scalar_subquery())


def ended_at(order):
    """When ``order`` ended (confirmed, cancelled or expired), or None while it runs."""
    if order.status not in ENDED:
        return None
    return db.session.scalar(sa.select(_ended_at()).where(Order.id == order.id))


def ended_by(moment):
    """A condition on orders: ended at ``moment`` or before (for windows that close a time
    after the end)."""
    return sa.and_(Order.status.in_(ENDED), _ended_at() <= moment)


def allowed_actions(user, order):
    """The lifecycle actions ``user`` may take on ``order`` now (what its page offers)."""
    actions = []
    status, is_helper = order.status, user.id == order.helper_id
    speaks_for_requester = user.id == order.requester_id or is_staff_for(user, order)
    if status == "open" and _may_accept(user, order):
        actions.append("accept")
    if is_helper and status == "accepted":
        actions += ["start", "withdraw"]
    if is_helper and status == "in_progress":
        actions.append("complete")
    if speaks_for_requester and status == "completed":
        actions.append("confirm")
    if speaks_for_requester and status in ("open", "accepted"):
        actions.append("cancel")
    return actions


def _may_accept(user, order):
    """Whether ``user`` passes the accept rules (status aside)."""
    if not user.verified or user.id == order.requester_id:
        return False
    if order.requester.vulnerable and not user.vetted:
        return False
    return order.offer_id is None or offer_owner_id(order.offer_id) == user.id
