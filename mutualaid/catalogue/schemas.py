"""Input and output shapes for services, sessions and bookings."""
from marshmallow import Schema, fields, validate

from mutualaid.catalogue.models import AUDIENCES, CATEGORIES
from mutualaid.core.schemas import AwareDateTime, Flag, Id, Text


class SessionSchema(Schema):
    id = fields.Integer(dump_only=True)
    service_id = fields.Integer(dump_only=True)
    starts_at = AwareDateTime(required=True)
    duration_min = fields.Integer(strict=True, required=True, validate=validate.Range(5, 600))
    capacity = fields.Integer(strict=True, required=True, validate=validate.Range(1, 500))
    place = Text(100, required=True)
    booked = fields.Integer(dump_only=True)
    seats_left = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)


class ServiceSchema(Schema):
    id = fields.Integer(dump_only=True)
    community_id = Id(load_default=None)
    title = Text(100, required=True)
    provider = Text(100, required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    audience = fields.String(load_default="everyone", validate=validate.OneOf(AUDIENCES))
    description = Text(2000, min_length=0, load_default="")
    active = fields.Boolean(dump_only=True)
    sessions = fields.List(fields.Nested(SessionSchema), dump_only=True)


class ServiceChangesSchema(Schema):
    """Staff edits: any of the service's fields, and ``active`` to withdraw or offer it again."""

    title = Text(100)
    provider = Text(100)
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    audience = fields.String(validate=validate.OneOf(AUDIENCES))
    description = Text(2000, min_length=0)
    active = Flag()


class ServiceQuerySchema(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    audience = fields.String(validate=validate.OneOf(AUDIENCES))
    community_id = Id()


class BookingSchema(Schema):
    id = fields.Integer(dump_only=True)
    session_id = fields.Integer(dump_only=True)
    user = fields.Function(lambda booking: {"id": booking.user.id,
                                            "display_name": booking.user.display_name},
                           dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    cancelled_at = fields.DateTime(dump_only=True, allow_none=True)
    attended = fields.Boolean(dump_only=True, allow_none=True)
    session = fields.Nested(SessionSchema, dump_only=True)
    service = fields.Function(lambda booking: {"id": booking.session.service.id,
                                               "title": booking.session.service.title},
                              dump_only=True)


class BookingListSchema(Schema):
    """A session's bookings (all of them: a session has at most 500 seats)."""

    items = fields.List(fields.Nested(BookingSchema), dump_only=True)


class AttendanceSchema(Schema):
    attended = Flag(required=True)


class MyBookingsQuerySchema(Schema):
    upcoming = fields.Boolean(load_default=True)  # a query string: "false", not JSON false


service_schema = ServiceSchema()
session_schema = SessionSchema()
booking_schema = BookingSchema()
