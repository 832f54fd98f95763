"""Notification input and output shapes."""
from flask_babel import lazy_gettext as N_
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mutualaid.notifications.domain import AUDIENCES
from mutualaid.notifications.kinds import KINDS
from mutualaid.notifications.quiet import parse_hhmm
from mutualaid.core.schemas import Flag, Id, Text

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
# Marked for the catalogue; the API translates field errors when it answers.
MESSAGES = [N_("Name the notifications, or send all: true."),
            N_("Quiet hours must end at another time."), N_("Use HH:MM, e.g. 22:00."),
            N_("Not a kind of notification."), N_("Not an audience."),
            N_("Not a browser's push key.")]


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    url = fields.String()
    at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)


class InboxQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)


class ReadSchema(Schema):
    ids = fields.List(Id(), validate=validate.Length(1, 100))
    all = Flag()

    @validates_schema
    def _something(self, data, **_kwargs):
        if not data.get("ids") and not data.get("all"):
            raise ValidationError("Name the notifications, or send all: true.", "ids")


class UnreadSchema(Schema):
    unread = fields.Integer()


class QuietHoursSchema(Schema):
    start = fields.String(required=True,
                          validate=validate.Regexp(HHMM, error="Use HH:MM, e.g. 22:00."))
    end = fields.String(required=True,
                        validate=validate.Regexp(HHMM, error="Use HH:MM, e.g. 22:00."))

    @validates_schema
    def _different(self, data, **_kwargs):
        if parse_hhmm(data["start"]) == parse_hhmm(data["end"]):
            raise ValidationError("Quiet hours must end at another time.", "end")


class SettingsInSchema(Schema):
    push = Flag()
    sms = Flag()
    kinds = fields.Dict(keys=fields.String(validate=validate.OneOf(
        KINDS, error="Not a kind of notification.")), values=Flag())
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True)
    audiences = fields.List(fields.String(validate=validate.OneOf(
        AUDIENCES, error="Not an audience.")), validate=validate.Length(max=20))


class ReachSchema(Schema):
    """What ``PATCH /me`` takes of a person's notification settings: SMS on or off, and the
    audiences whose services they want to hear of."""

    sms = Flag()
    audiences = SettingsInSchema().fields["audiences"]


class SettingsSchema(Schema):
    push = fields.Boolean()
    sms = fields.Boolean()
    kinds = fields.Dict(keys=fields.String(), values=fields.Boolean())
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True)
    audiences = fields.List(fields.String())


def dump_settings(settings):
    """A settings dict in the API shape: every kind listed, quiet hours as an object."""
    quiet = None
    if settings["quiet_start"] is not None:
        quiet = {"start": settings["quiet_start"], "end": settings["quiet_end"]}
    return {"push": settings["push"], "sms": settings["sms"],
            "kinds": {kind: settings["kinds"].get(kind, True) for kind in KINDS},
            "quiet_hours": quiet, "audiences": settings["audiences"]}


class PublicKeySchema(Schema):
    public_key = fields.String()


class EndpointSchema(Schema):
    endpoint = Text(1000, required=True)


def _b64url_bytes(text):
    """The bytes of a base64url text (padding optional), or None."""
    import base64
    import binascii

    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


class KeysSchema(Schema):
    p256dh = Text(200, required=True)
    auth = Text(100, required=True)

    @validates_schema
    def _keys(self, data, **_kwargs):
        point = _b64url_bytes(data["p256dh"])
        if point is None or len(point) != 65 or point[0] != 4:
            raise ValidationError("Not a browser's push key.", "p256dh")
        secret = _b64url_bytes(data["auth"])
        if secret is None or len(secret) != 16:
            raise ValidationError("Not a browser's push key.", "auth")


class SubscriptionSchema(EndpointSchema):
    keys = fields.Nested(KeysSchema, required=True)


class SubscriptionOutSchema(Schema):
    id = fields.Integer()
    endpoint = fields.String()


class SmsSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    display_name = fields.String()
    phone = fields.String()
    body = fields.String()
    at = fields.AwareDateTime()
    notification_id = fields.Integer()
