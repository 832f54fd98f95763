"""Conversation input and output shapes."""
from marshmallow import Schema, fields, validate

from mutualaid.accounts.schemas import PublicUserSchema
from mutualaid.conversation.models import MAX_BODY
from mutualaid.core.routing import MAX_ID
from mutualaid.core.schemas import Id, Text


class NewMessageSchema(Schema):
    body = Text(MAX_BODY, required=True)


class MessageSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    author = fields.Nested(PublicUserSchema)
    body = fields.String()
    at = fields.AwareDateTime()
    hidden = fields.Boolean()


class AfterSchema(Schema):
    after = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))


class ReadSchema(Schema):
    up_to = Id(required=True)


class ReadStateSchema(Schema):
    unread = fields.Integer()


message_schema = MessageSchema()
