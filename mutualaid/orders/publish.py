"""Live order events: ``order.created`` and ``order.updated`` through the outbox (emitted
after commit), and who may subscribe to an ``order:<id>`` room."""
import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.orders import board
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room, room_check

TOP_MATCHES_NOTIFIED = 5


def public_payload(order):
    """The order as a non-party sees it (no contact), with ``id`` and ``version``."""
    from mutualaid.orders.schemas import dump_order

    return dump_order(order, None)


def _place_rooms(order):
    """The community and building boards (hidden orders stay off them)."""
    if order.hidden:
        return []
    return [room("community", order.community_id), room("building", order.building_id)]


def order_created(order):
    """Tell the boards, and the best-matched helpers in their own rooms, of a new need."""
    board.changed(order.community_id)
    helpers = [room("user", user_id) for user_id in top_helper_ids(order)]
    announce("order.created", public_payload(order),
             _place_rooms(order) + [room("user", order.requester_id)] + helpers)


def order_updated(order, extra_user_ids=()):
    """Tell the order's page, the boards and its parties of a change. The order is read
    for them once the change is committed: a step holds the order's row lock until its
    commit, and other helpers' accepts wait on it."""
    board.changed(order.community_id)
    users = {order.requester_id, order.helper_id, *extra_user_ids} - {None}
    rooms = [room("order", order.id), *_place_rooms(order)]
    rooms += [room("user", user_id) for user_id in sorted(users)]
    announce("order.updated", lambda: public_payload(order), rooms, after_commit=True)


def top_helper_ids(order):
    """The user ids of the best-matched helpers for a new order who may see it: matching is
    by distance, and a neighbour across a community line must not be told of an order that
    HTTP would answer 404 to them."""
    from mutualaid.orders.access import can_see
    from mutualaid.orders.matches import matches_for

    candidates = matches_for(order, limit=TOP_MATCHES_NOTIFIED * 4)
    users = {user.id: user for user in db.session.scalars(
        sa.select(User).where(User.id.in_([c.user_id for c in candidates])))}
    seeing = [c.user_id for c in candidates if can_see(users[c.user_id], order)]
    return seeing[:TOP_MATCHES_NOTIFIED]


@room_check("order")
def _order_room(user, order_id):
    """Who may see the order may follow it live."""
    from mutualaid.orders.access import can_see
    from mutualaid.orders.models import Order

    order = db.session.get(Order, order_id)
    return order is not None and isinstance(user, User) and can_see(user, order)
