"""Input and output shapes of building projects: cost plans and shares, documents, questions,
objections and proxies."""
import re

from marshmallow import Schema, ValidationError, fields

from mutualaid.accounts.schemas import PublicUserSchema
from mutualaid.core.schemas import Id, Text
from mutualaid.votes.shares import format_coefficient, format_money

MAX_MONEY_CENTS = 10_000_000_000 * 100  # ten billion yuan: far above any building's project
_MONEY = re.compile(r"\d{1,11}\.\d{2}", re.ASCII)
_COEFFICIENT = re.compile(r"\d{1,2}(\.\d{1,2})?", re.ASCII)
_FLOOR = re.compile(r"-?\d{1,3}", re.ASCII)


class Money(fields.Field):
    """An amount of yuan written with two decimals (``"358000.00"``); loaded as cents."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _MONEY.fullmatch(value):
            raise ValidationError("Write an amount with two decimals, such as 358000.00.")
        whole, cents = value.split(".")
        amount = int(whole) * 100 + int(cents)
        if amount > MAX_MONEY_CENTS:
            raise ValidationError("This amount is not plausible.")
        return amount

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_money(value)


def _coefficients(value):
    """``{"3": "1.10"}`` as ``{3: 110}``; raises ValidationError."""
    if not isinstance(value, dict) or len(value) > 250:
        raise ValidationError("Give coefficients as an object of floor: \"1.00\".")
    loaded = {}
    for floor, text in value.items():
        if not isinstance(floor, str) or not _FLOOR.fullmatch(floor) or not -5 <= int(floor) <= 200:
            raise ValidationError("Floors are whole numbers, such as \"3\".")
        if not isinstance(text, str) or not _COEFFICIENT.fullmatch(text):
            raise ValidationError("Write each coefficient with two decimals, such as 1.10.")
        whole, _dot, part = text.partition(".")
        loaded[int(floor)] = int(whole) * 100 + int(part.ljust(2, "0"))
    return loaded


class Coefficients(fields.Field):
    """Coefficients by floor (``{"3": "1.00"}``), loaded as hundredths by integer floor."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _coefficients(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return {floor: format_coefficient(c) for floor, c in sorted(
            value.items(), key=lambda item: int(item[0]))}


class CostPlanSchema(Schema):
    total_cost = Money(required=True)
    maintenance_fund = Money(load_default=0)
    subsidy = Money(load_default=0)
    coefficients = Coefficients(load_default=dict)


class CostPlanAnswerSchema(Schema):
    total_cost = Money()
    maintenance_fund = Money()
    subsidy = Money()
    coefficients = Coefficients()
    owners_part = Money()


class ShareRowSchema(Schema):
    unit_id = fields.Function(lambda row: row["unit"].id)
    number = fields.Function(lambda row: row["unit"].number)
    floor = fields.Function(lambda row: row["unit"].floor)
    area_m2 = fields.Function(lambda row: f"{row['unit'].floor_area_m2:.2f}")
    coefficient = fields.Function(lambda row: format_coefficient(row["share"].coefficient))
    amount = fields.Function(lambda row: format_money(row["share"].cents))
    owner = fields.Function(lambda row: {"id": row["unit"].owner.id,
                                         "display_name": row["unit"].owner.display_name}
                            if row["unit"].owner else None)


class SharesSchema(Schema):
    owners_part = Money()
    total = Money()
    items = fields.List(fields.Nested(ShareRowSchema))


class MyShareSchema(Schema):
    amount = Money()
    items = fields.List(fields.Nested(ShareRowSchema))


cost_plan_answer_schema = CostPlanAnswerSchema()
shares_schema = SharesSchema()
my_share_schema = MyShareSchema()


class DocumentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class DocumentCreateSchema(Schema):
    name = Text(120, required=True)


class AnswerSchema(Schema):
    text = fields.String()
    at = fields.AwareDateTime()


def _answer(row):
    """A question's or objection's answer, or None while there is none."""
    return {"text": row.answer, "at": row.answered_at.isoformat()} if row.answered_at else None


class QuestionSchema(Schema):
    id = fields.Integer()
    vote_id = fields.Integer()
    text = fields.String()
    asker = fields.Nested(PublicUserSchema)
    at = fields.AwareDateTime()
    answer = fields.Function(_answer, allow_none=True)


class ObjectionSchema(Schema):
    id = fields.Integer()
    vote_id = fields.Integer()
    text = fields.String()
    author = fields.Nested(PublicUserSchema)
    at = fields.AwareDateTime()
    answer = fields.Function(_answer, allow_none=True)


class TextSchema(Schema):
    text = Text(2000, required=True)


class RecountSchema(Schema):
    at = fields.AwareDateTime()
    chain_ok = fields.Function(lambda entry: entry.detail["chain_ok"])
    changed = fields.Function(lambda entry: entry.detail["changed"])
    result = fields.Function(lambda entry: entry.detail["result"])


class ProxyCreateSchema(Schema):
    owner_id = Id(required=True)
    proxy_id = Id(required=True)
    note = Text(200, required=True)
    signed_on = fields.Date(required=True)


class ProxySchema(Schema):
    id = fields.Integer()
    vote_id = fields.Integer()
    owner = fields.Nested(PublicUserSchema)
    proxy = fields.Nested(PublicUserSchema)
    note = fields.String()
    signed_on = fields.Date()
    created_at = fields.AwareDateTime()


document_schema = DocumentSchema()
question_schema = QuestionSchema()
objection_schema = ObjectionSchema()
recount_schema = RecountSchema()
proxy_schema = ProxySchema()
