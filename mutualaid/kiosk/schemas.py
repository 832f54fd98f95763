"""Input and output shapes for kiosks and kiosk sign-in."""
from marshmallow import Schema, fields, validate

from mutualaid.catalogue.schemas import SessionSchema
from mutualaid.core.schemas import CleanString, Id, Text


class KioskSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(100, required=True)
    building_id = Id(required=True)
    building_name = fields.Function(lambda kiosk: kiosk.building.name, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class IssuedKioskSchema(KioskSchema):
    token = fields.String(dump_only=True)
    url = fields.String(dump_only=True)


class KioskSignInSchema(Schema):
    """Residents sign in with their PIN, staff with their password (the other is ignored)."""

    username = Text(32, required=True)
    pin = CleanString(load_default=None, load_only=True,
                        validate=validate.Regexp(r"^[0-9]{4,6}$", error="Use 4 to 6 digits."))
    password = CleanString(load_default=None, load_only=True,
                           validate=validate.Length(1, 128))


class KioskTokenSchema(Schema):
    token = fields.String(dump_only=True)
    expires_in = fields.Integer(dump_only=True)
    user = fields.Dict(dump_only=True)


class KioskPersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True)


class PersonListSchema(Schema):
    items = fields.List(fields.Nested(KioskPersonSchema), dump_only=True)


class BoardSessionSchema(SessionSchema):
    service = fields.Function(lambda session: {"id": session.service.id,
                                               "title": session.service.title,
                                               "category": session.service.category},
                              dump_only=True)


class BoardSchema(Schema):
    kiosk = fields.Dict(dump_only=True)
    sessions = fields.List(fields.Nested(BoardSessionSchema), dump_only=True)
    upcoming = fields.List(fields.Nested(BoardSessionSchema), dump_only=True)
    orders = fields.List(fields.Dict(), dump_only=True)
    votes = fields.List(fields.Dict(), dump_only=True)


kiosk_schema = KioskSchema()
issued_kiosk_schema = IssuedKioskSchema()
person_schema = KioskPersonSchema()
board_session_schema = BoardSessionSchema()
