"""Input and output shapes for skill tags, skills and offers."""
from marshmallow import Schema, fields


class SkillTagSchema(Schema):
    code = fields.String()
    parent = fields.String(allow_none=True)
    name_zh = fields.String()
    name_en = fields.String()


class SkillTagListSchema(Schema):
    items = fields.List(fields.Nested(SkillTagSchema))
