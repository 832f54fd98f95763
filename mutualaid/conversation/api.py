"""/api/v1 routes of order conversations: messages, read state, reports of a message."""
from flask_login import current_user

from mutualaid.api import endpoint, page_of
from mutualaid.conversation import domain
from mutualaid.conversation.schemas import (
    AfterSchema, MessageSchema, NewMessageSchema, ReadSchema,
    ReadStateSchema, message_schema,
)
from mutualaid.core.extensions import db
from mutualaid.orders.access import get_visible
from mutualaid.orders.schemas import ReportInSchema, ReportSchema, report_schema


def me_unread(user):
    """What conversations add to ``GET /me``: others' messages not yet read."""
    return {"unread_messages": domain.unread_count(user)}


@endpoint("/orders/<id:order_id>/messages", query=AfterSchema(), response=MessageSchema,
          paged=True)
def list_messages(order_id, args):
    """The order's conversation, oldest first (``?after=<id>`` for what is new)."""
    order = get_visible(current_user, order_id)
    select = domain.messages_select(current_user, order, args["after"])
    return page_of(select, message_schema.dump, args)


@endpoint("/orders/<id:order_id>/messages", "POST", body=NewMessageSchema(),
          response=MessageSchema, status=201, limit="30/minute")
def post_message(order_id, data):
    """Write to the other participants of an accepted order (plain text, 1–1,000)."""
    order = get_visible(current_user, order_id)
    message = domain.post_message(current_user, order, data["body"])
    db.session.commit()
    return message_schema.dump(message), 201


@endpoint("/orders/<id:order_id>/messages/read", "POST", body=ReadSchema(),
          response=ReadStateSchema)
def mark_read(order_id, data):
    """Mark the conversation read up to a message; answers what is still unread."""
    order = get_visible(current_user, order_id)
    unread = domain.mark_read(current_user, order, data["up_to"])
    db.session.commit()
    return {"unread": unread}


@endpoint("/messages/<id:message_id>/reports", "POST", body=ReportInSchema(),
          response=ReportSchema, status=201, limit="20/hour")
def report(message_id, data):
    """Report a message to the community's staff, who may hide it."""
    message = domain.get_message(current_user, message_id)
    created = domain.report_message(current_user, message, data["reason"])
    db.session.commit()
    return report_schema.dump(created), 201
