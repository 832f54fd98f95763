"""Order input and output shapes. ``contact`` is added per viewer, never by default."""
from marshmallow import Schema, fields, validate

from mutualaid.accounts.schemas import PublicUserSchema
from mutualaid.matching.tags import MAX_TAGS
from mutualaid.orders.models import MAX_MINUTES, STATUSES, URGENCIES
from mutualaid.core.schemas import AwareDateTime, CleanString, Flag, Id, Text

TAG = CleanString(validate=validate.Length(1, 40))


class ContactSchema(Schema):
    phone = fields.String(allow_none=True)
    unit_number = fields.String()
    building_name = fields.String()


class HelperContactSchema(Schema):
    display_name = fields.String()
    phone = fields.String(allow_none=True)


class OrderSchema(Schema):
    """An order as anyone who may see it gets it; ``contact`` is filled per viewer."""

    id = fields.Integer()
    status = fields.String()
    title = fields.String()
    description = fields.String()
    tags = fields.List(fields.String())
    urgency = fields.String()
    window_start = fields.AwareDateTime(allow_none=True)
    window_end = fields.AwareDateTime(allow_none=True)
    requester = fields.Nested(PublicUserSchema)
    helper = fields.Nested(PublicUserSchema, allow_none=True)
    building_id = fields.Integer()
    community_id = fields.Integer()
    offer_id = fields.Integer(allow_none=True)
    minutes = fields.Integer(allow_none=True)
    rating = fields.Integer(allow_none=True)
    hidden = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer()
    contact = fields.Nested(ContactSchema, allow_none=True, dump_default=None)
    helper_contact = fields.Nested(HelperContactSchema, allow_none=True, dump_default=None)


class NewOrderSchema(Schema):
    title = Text(100, required=True)
    description = Text(2000, min_length=0, load_default="")
    tags = fields.List(TAG, required=True, validate=validate.Length(1, MAX_TAGS))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))
    window_start = AwareDateTime(load_default=None, allow_none=True)
    window_end = AwareDateTime(load_default=None, allow_none=True)
    offer_id = Id(load_default=None, allow_none=True)
    on_behalf_of = Id(load_default=None, allow_none=True)


class OrderQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    tag = CleanString(load_default=None, validate=validate.Length(1, 40))
    building_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**63 - 1))
    mine = fields.Boolean(load_default=False)


class CompleteSchema(Schema):
    minutes = fields.Integer(strict=True, required=True,
                             validate=validate.Range(1, MAX_MINUTES))


class ConfirmSchema(Schema):
    rating = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))
    comment = Text(500, min_length=0, load_default=None, allow_none=True)


class EmptySchema(Schema):
    """Actions without fields take an empty object (or no body)."""


class HideSchema(Schema):
    hidden = Flag(load_default=True)


class EventSchema(Schema):
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    from_ = fields.String(attribute="from_status", data_key="from", allow_none=True)
    to = fields.String(attribute="to_status")
    note = fields.String(allow_none=True)


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))


class CreditSchema(Schema):
    at = fields.AwareDateTime()
    minutes = fields.Integer()
    order_id = fields.Integer()
    kind = fields.String()


class LedgerSchema(Schema):
    balance_minutes = fields.Integer()
    items = fields.List(fields.Nested(CreditSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class ReportInSchema(Schema):
    reason = Text(500, required=True)


def _message_body(report):
    """The reported message's text, for staff deciding on it."""
    from mutualaid.orders.reports import reported_message

    message = reported_message(report)
    return message.body if message is not None else None


class ReportSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_title = fields.Function(lambda report: report.order.title)
    order_hidden = fields.Function(lambda report: report.order.hidden)
    reporter = fields.Nested(PublicUserSchema)
    reason = fields.String()
    at = fields.AwareDateTime()
    resolved = fields.Boolean()
    message_id = fields.Integer(allow_none=True)
    message_body = fields.Function(_message_body, allow_none=True)
    note = fields.String(allow_none=True)


class ResolveSchema(Schema):
    hide = Flag(required=True)
    note = Text(500, min_length=0, load_default=None)


class ReportQuerySchema(Schema):
    resolved = fields.Boolean(load_default=False)


class ThankSchema(Schema):
    user_id = fields.Integer()
    display_name = fields.String()
    minutes = fields.Integer()
    orders = fields.Integer()


class BoardSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema))
    version = fields.Integer()


class ThanksSchema(Schema):
    month = fields.String()
    items = fields.List(fields.Nested(ThankSchema))


class MatchSchema(Schema):
    user_id = fields.Integer()
    display_name = fields.String()
    score = fields.Float()
    distance_m = fields.Integer()
    reasons = fields.List(fields.String())


class MatchQuerySchema(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class MatchListSchema(Schema):
    items = fields.List(fields.Nested(MatchSchema))


class SuggestionSchema(Schema):
    order = fields.Nested(OrderSchema)
    match = fields.Nested(MatchSchema)


class SuggestionListSchema(Schema):
    items = fields.List(fields.Nested(SuggestionSchema))


order_schema = OrderSchema()
event_schema = EventSchema()
credit_schema = CreditSchema()
report_schema = ReportSchema()


def contact_of(order):
    """How to reach the requester: phone, unit and building."""
    requester = order.requester
    unit = requester.unit
    return {"phone": requester.phone, "unit_number": unit.number if unit else None,
            "building_name": order.building.name}


def helper_contact_of(order):
    """How to reach the helper: their name, and their phone where they chose to share it."""
    helper = order.helper
    return {"display_name": helper.display_name,
            "phone": helper.phone if helper.share_phone else None}


def order_dumper(viewer=None):
    """A function dumping orders as ``viewer`` may see them (``contact`` only for the
    requester, the accepted helper and staff; ``helper_contact`` only for the requester and
    staff once accepted); the viewer's staff scope is read once."""
    from mutualaid.accounts.domain import staff_community_ids
    from mutualaid.orders.access import sees_contact, sees_helper_contact

    staff_of = staff_community_ids(viewer) if viewer is not None else set()

    def dump(order):
        data = order_schema.dump(order)
        shown = viewer is not None and sees_contact(viewer, order, staff_of)
        data["contact"] = contact_of(order) if shown else None
        helper_shown = viewer is not None and sees_helper_contact(viewer, order, staff_of)
        data["helper_contact"] = helper_contact_of(order) if helper_shown else None
        return data

    return dump


def dump_order(order, viewer=None):
    """One order as ``viewer`` may see it."""
    return order_dumper(viewer)(order)
