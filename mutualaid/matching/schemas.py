"""Input and output shapes for skill tags, skills and offers."""
from marshmallow import Schema, fields, validate

from mutualaid.matching.models import DAYS, MAX_RADIUS_M, MIN_RADIUS_M, PARTS
from mutualaid.matching.tags import TAXONOMY
from mutualaid.core.schemas import CleanString, Flag, Text

TAG = CleanString(validate=validate.Length(1, 40))


def Radius(**kwargs):
    """A radius in whole metres, 100 to 20,000."""
    return fields.Integer(strict=True, validate=validate.Range(MIN_RADIUS_M, MAX_RADIUS_M),
                          **kwargs)


class SkillTagSchema(Schema):
    code = fields.String()
    parent = fields.String(allow_none=True)
    name_zh = fields.String()
    name_en = fields.String()


class SkillTagListSchema(Schema):
    items = fields.List(fields.Nested(SkillTagSchema))


class SkillsSchema(Schema):
    tags = fields.List(TAG, required=True, validate=validate.Length(0, len(TAXONOMY)))
    radius_m = Radius(load_default=None)


class AvailabilitySchema(Schema):
    """Weekdays and parts of day (morning 06-12, afternoon 12-18, evening 18-22, UTC+8)."""

    days = fields.List(fields.String(validate=validate.OneOf(DAYS)), required=True,
                       validate=validate.Length(1, len(DAYS)))
    parts = fields.List(fields.String(validate=validate.OneOf(list(PARTS))), required=True,
                        validate=validate.Length(1, len(PARTS)))


class OfferOwnerSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class OfferSchema(Schema):
    id = fields.Integer(dump_only=True)
    owner = fields.Nested(OfferOwnerSchema, dump_only=True)
    title = Text(80, required=True)
    description = Text(1000, min_length=0, load_default="")
    tags = fields.List(TAG, required=True, validate=validate.Length(1, 10))
    radius_m = Radius(load_default=1000)
    availability = fields.Nested(AvailabilitySchema, load_default=None)
    active = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class OfferChangesSchema(Schema):
    title = Text(80)
    description = Text(1000, min_length=0)
    tags = fields.List(TAG, validate=validate.Length(1, 10))
    radius_m = Radius()
    availability = fields.Nested(AvailabilitySchema)
    active = Flag()


class OfferQuerySchema(Schema):
    tag = fields.String(load_default=None, validate=validate.OneOf(list(TAXONOMY)))
    mine = fields.Boolean(load_default=False)


skills_schema = SkillsSchema()
offer_schema = OfferSchema()
