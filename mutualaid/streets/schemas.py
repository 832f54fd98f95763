"""Input and output shapes for streets and grids."""
from marshmallow import Schema, fields, validate

from mutualaid.core.schemas import Id, Text


class StreetSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(100, required=True)
    community_ids = fields.List(fields.Integer(), dump_only=True)


class StreetCommunityInSchema(Schema):
    community_id = Id(required=True)


class UserIdSchema(Schema):
    user_id = Id(required=True)


class GridSchema(Schema):
    id = fields.Integer(dump_only=True)
    community_id = fields.Integer(dump_only=True)
    name = Text(100, required=True)
    building_ids = fields.List(Id(), required=True, validate=validate.Length(1, 200))
    worker_ids = fields.List(Id(), required=True, validate=validate.Length(1, 50))


class GridPatchSchema(Schema):
    """A grid's changes: each list given replaces the old one."""
    name = Text(100)
    building_ids = fields.List(Id(), validate=validate.Length(1, 200))
    worker_ids = fields.List(Id(), validate=validate.Length(1, 50))
