"""The conversation on the order page (a section the orders feature shows): big type, phone
first, live through ``message.created``; opening it reads what is shown. Once closed, it
says so instead of showing the messages."""
import sqlalchemy as sa

from mutualaid.conversation import domain
from mutualaid.core.extensions import db
from mutualaid.orders.access import is_staff_for

SHOWN = 200  # the latest messages on the page; the API pages through all of them


def conversation_section(user, order):
    """The section's data for a participant of an accepted order, else None; marks read."""
    if not domain.is_participant(user, order) or order.helper_id is None:
        return None
    ends = domain.closes_at(order)
    if not domain.is_open(order):
        return {"open": False, "closes_at": ends}
    newest = db.session.scalars(domain.messages_select(user, order)
                                .order_by(None).order_by(sa.desc("id")).limit(SHOWN)).all()
    messages = newest[::-1]
    if messages:
        domain.mark_read(user, order, messages[-1].id)
        db.session.commit()
    return {"open": True, "closes_at": ends, "messages": messages,
            "staff": is_staff_for(user, order)}
