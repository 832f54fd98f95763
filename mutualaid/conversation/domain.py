"""Conversation rules: who may read and write on an order, when, read state, reports.

Participants are the requester, the helper and the community's staff. The conversation opens
when the order is accepted and closes, for reading as for writing, 7 days after the order ends
(confirmed, cancelled or expired); staff review a reported message from its report (orders'
review page), which stays open. Functions flush but never commit; they raise domain errors.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.conversation.models import MessageRead, OrderMessage
from mutualaid.core import clock
from mutualaid.core.database import upsert
from mutualaid.core.errors import Conflict, Forbidden, NotFound
from mutualaid.core.extensions import db
from mutualaid.notifications.domain import notify
from mutualaid.orders import reports
from mutualaid.orders.access import can_see, is_staff_for
from mutualaid.orders.domain import ended_at, ended_by
from mutualaid.orders.models import Order
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room

OPEN_AFTER_END = timedelta(days=7)


def is_participant(user, order):
    """The requester, the helper (while they are) and the community's staff."""
    return user.id in (order.requester_id, order.helper_id) or is_staff_for(user, order)


def require_participant(user, order):
    """Raise Forbidden unless ``user`` takes part in an order that has been accepted."""
    if not is_participant(user, order):
        raise Forbidden(_("Only the requester, the helper and staff take part in this "
                          "conversation."))
    if order.helper_id is None:
        raise Forbidden(_("The conversation opens once a neighbour accepts the order."),
                        code="not_accepted")


def closes_at(order):
    """When the conversation closes: 7 days after the order ended, or None while it runs."""
    ended = ended_at(order)
    return ended + OPEN_AFTER_END if ended is not None else None


def is_open(order, now=None):
    """True until 7 days after the order ended."""
    ends = closes_at(order)
    return ends is None or (now or clock.now()) < ends


def require_open(user, order, now=None):
    """Raise Forbidden (see ``require_participant``) or, once the window is over, Conflict
    ``conversation_closed``: reading and writing close together, for everyone."""
    require_participant(user, order)
    if not is_open(order, now):
        raise Conflict(_("This conversation closed 7 days after the order ended."),
                       code="conversation_closed")


def post_message(actor, order, body, now=None):
    """Write ``body`` on ``order``; the others hear of it live (on the order page and in their
    own rooms) and in their inbox."""
    now = now or clock.now()
    require_open(actor, order, now)
    message = OrderMessage(order_id=order.id, author_id=actor.id, body=body, at=now)
    db.session.add(message)
    db.session.flush()
    _mark_read(actor.id, order.id, message.id)
    others = recipients_of(order, exclude=actor.id)
    # The order's room shows it on the order page; the others' own rooms move the unread
    # count in the top bar of whatever page they have open.
    announce("message.created", message_payload(message),
             [room("order", order.id), *(room("user", user_id) for user_id in others)])
    notify(others, "order.message",
           {"order_id": order.id, "title": order.title, "author": actor.display_name},
           f"/orders/{order.id}#conversation", merge_unread=True)
    return message


def message_payload(message):
    """The socket payload of a message (a message never changes: version 1)."""
    from mutualaid.conversation.schemas import message_schema

    return message_schema.dump(message) | {"version": 1}


def recipients_of(order, exclude):
    """Who hears of a new message: requester and helper, and staff who have written in it."""
    writers = db.session.scalars(sa.select(OrderMessage.author_id).distinct().where(
        OrderMessage.order_id == order.id)).all()
    people = {order.requester_id, order.helper_id, *writers} - {None, exclude}
    return sorted(people)


def messages_select(viewer, order, after=None, now=None):
    """A select of the order's messages oldest first (hidden ones for staff only), while
    the conversation is open."""
    require_open(viewer, order, now)
    select = (sa.select(OrderMessage).where(OrderMessage.order_id == order.id)
              .order_by(OrderMessage.id))
    if after is not None:
        select = select.where(OrderMessage.id > after)
    if not is_staff_for(viewer, order):
        select = select.where(OrderMessage.hidden.is_(False))
    return select


def mark_read(actor, order, up_to, now=None):
    """Mark the order's messages up to the message ``up_to`` as read by ``actor``."""
    require_open(actor, order, now)
    last = db.session.scalar(sa.select(sa.func.max(OrderMessage.id)).where(
        OrderMessage.order_id == order.id, OrderMessage.id <= up_to))
    if last is not None:
        _mark_read(actor.id, order.id, last)
    return unread_for_order(actor, order)


def _mark_read(user_id, order_id, message_id):
    """Move the reader's mark forward (never back), in one statement: two sends of one
    person at once (a double tap) must not both insert the mark, nor one move it back."""
    table = MessageRead.__table__
    insert = upsert(table).values(order_id=order_id, user_id=user_id, last_read_id=message_id)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=[table.c.order_id, table.c.user_id],
        set_={"last_read_id": sa.case(
            (insert.excluded.last_read_id > table.c.last_read_id, insert.excluded.last_read_id),
            else_=table.c.last_read_id)}))


def _unread_select(user_id):
    """Others' visible messages the user has not read, in conversations they are part of
    and may still read (a closed one has nothing left to read)."""
    mark = sa.orm.aliased(MessageRead)
    mine = sa.orm.aliased(OrderMessage)
    spoke = sa.exists().where(mine.order_id == OrderMessage.order_id, mine.author_id == user_id)
    return (sa.select(sa.func.count(OrderMessage.id))
            .join(Order, Order.id == OrderMessage.order_id)
            .outerjoin(mark, sa.and_(mark.order_id == OrderMessage.order_id,
                                     mark.user_id == user_id))
            .where(OrderMessage.author_id != user_id, OrderMessage.hidden.is_(False),
                   sa.or_(mark.last_read_id.is_(None), OrderMessage.id > mark.last_read_id),
                   sa.or_(Order.requester_id == user_id, Order.helper_id == user_id, spoke),
                   sa.not_(ended_by(clock.now() - OPEN_AFTER_END))))


def unread_count(user):
    """How many of others' messages ``user`` has not read yet (``unread_messages``)."""
    return db.session.scalar(_unread_select(user.id)) or 0


def unread_for_order(user, order):
    """Unread messages of one order for ``user``."""
    return db.session.scalar(_unread_select(user.id).where(
        OrderMessage.order_id == order.id)) or 0


def get_message(viewer, message_id):
    """A message ``viewer`` may read; raises NotFound otherwise."""
    message = db.session.get(OrderMessage, message_id)
    order = db.session.get(Order, message.order_id) if message is not None else None
    if order is None or not can_see(viewer, order) or not is_participant(viewer, order):
        raise NotFound(_("This message does not exist or is not visible to you."))
    if message.hidden and not is_staff_for(viewer, order):
        raise NotFound(_("This message does not exist or is not visible to you."))
    return message


def report_message(actor, message, reason):
    """Send a message to staff review (one report per person and message: Conflict)."""
    order = db.session.get(Order, message.order_id)
    return reports.report_order(actor, order, reason, message_id=message.id)


def find_message(message_id):
    """The message ``message_id``, or None."""
    return db.session.get(OrderMessage, message_id)


def hide_message(actor, message_id, hidden=True):
    """Staff hide (or show again) a message; the conversation's page reloads it."""
    message = db.session.get(OrderMessage, message_id)
    if message is None:
        raise NotFound(_("This message does not exist or is not visible to you."))
    message.hidden = hidden
    db.session.flush()
    return message
