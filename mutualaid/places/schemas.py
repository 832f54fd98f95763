"""Input and output shapes for communities, buildings and units."""
from marshmallow import Schema, ValidationError, fields, validate

from mutualaid.places.areas import format_area, parse_area
from mutualaid.core.schemas import CleanString, Id, Text


class AreaField(fields.Field):
    """A floor area in m², given as "33.33" or a number; loaded as hundredths of m²."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            hundredths = parse_area(value)
        except ValueError:
            raise ValidationError(
                "Not a valid area: give m² with at most two decimals, up to 100000.") from None
        if hundredths == 0:
            raise ValidationError("An area must be more than 0.")
        return hundredths

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_area(value)


class CommunitySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(100, required=True)


class BuildingSchema(Schema):
    id = fields.Integer(dump_only=True)
    community_id = fields.Integer(dump_only=True)
    name = Text(100, required=True)
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    number = CleanString(required=True, validate=[
        validate.Length(1, 20),
        validate.Regexp(r"^[A-Za-z0-9-]+$", error="Use letters, digits and - only."),
    ])
    floor = fields.Integer(strict=True, load_default=None, validate=validate.Range(-5, 200))
    floor_area_m2 = AreaField(required=True, data_key="floor_area_m2", attribute="area_hundredths")
    owner = fields.Function(
        lambda unit: {"id": unit.owner.id, "display_name": unit.owner.display_name}
        if unit.owner else None, dump_only=True,
    )


class OwnerSchema(Schema):
    user_id = Id(required=True, allow_none=True)


community_schema = CommunitySchema()
building_schema = BuildingSchema()
unit_schema = UnitSchema()
