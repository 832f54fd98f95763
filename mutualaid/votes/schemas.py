"""Input and output shapes of votes, ballots, receipts and results."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mutualaid.accounts.schemas import PublicUserSchema
from mutualaid.core.database import utcnow
from mutualaid.core.schemas import AwareDateTime, Id, Text
from mutualaid.votes import stages
from mutualaid.votes.models import CHANNELS
from mutualaid.votes.project_schemas import (
    CostPlanAnswerSchema, DocumentSchema, ObjectionSchema, QuestionSchema,
)
from mutualaid.votes.rules import CHOICES, RULES

STATUSES = ("scheduled", "open", "closed")


class AttachmentSchema(Schema):
    title = Text(100, required=True)
    url = fields.Url(required=True, schemes={"http", "https"},
                     validate=validate.Length(max=500))


class VoteCreateSchema(Schema):
    title = Text(200, required=True)
    description = Text(5000, required=True)
    rule = fields.String(required=True, validate=validate.OneOf(RULES))
    building_id = Id(load_default=None, allow_none=True)
    community_id = Id(load_default=None, allow_none=True)
    opens_at = AwareDateTime(load_default=None, allow_none=True)
    closes_at = AwareDateTime(load_default=None, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list,
                              validate=validate.Length(max=10))
    notice_at = AwareDateTime(load_default=None, allow_none=True)
    objection_days = fields.Integer(strict=True, load_default=None, allow_none=True,
                                    validate=validate.Range(0, 30))

    @validates_schema
    def has_scope(self, data, **kwargs):
        """A vote is for a building or for a community (both: the building's community)."""
        if data.get("building_id") is None and data.get("community_id") is None:
            raise ValidationError("Give building_id or community_id.", field_name="building_id")


def _iso(moment):
    """A time as the API writes it, or None."""
    return moment.isoformat() if moment is not None else None


class VoteQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class VoteSchema(Schema):
    """A vote as everyone in its scope sees it."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    rule = fields.String()
    community_id = fields.Integer()
    building_id = fields.Integer(allow_none=True)
    building_name = fields.Function(lambda vote: vote.building.name if vote.building else None)
    attachments = fields.List(fields.Nested(AttachmentSchema))
    status = fields.String()
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    created_by = fields.Nested(PublicUserSchema)
    version = fields.Integer()
    stage = fields.Function(lambda vote: stages.stage_at(vote, utcnow()))
    notice_at = fields.AwareDateTime(allow_none=True)
    objection_days = fields.Integer()
    objection_ends_at = fields.Function(
        lambda vote: _iso(stages.objection_ends_at(vote)) if vote.rule != "poll" else None,
        allow_none=True)
    final_at = fields.AwareDateTime(allow_none=True)
    days_to_decision = fields.Function(stages.days_to_decision, allow_none=True)


class WeightSchema(Schema):
    area_m2 = fields.String(allow_none=True)
    headcount = fields.Integer()


class TurnoutSchema(Schema):
    eligible = fields.Nested(WeightSchema)
    participating = fields.Nested(WeightSchema)
    yes = fields.Nested(WeightSchema)
    quorum_needed = fields.Nested(WeightSchema, allow_none=True)
    approval_needed = fields.Nested(WeightSchema)
    quorum_met = fields.Boolean()
    passing = fields.Boolean()


class BallotSchema(Schema):
    """A ballot as its voter (or the staff who recorded it) sees it."""

    id = fields.Integer()
    vote_id = fields.Integer()
    choice = fields.String()
    channel = fields.String()
    note = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    recorded_at = fields.AwareDateTime()
    receipt = fields.String()
    recorded_by = fields.String()
    proxy_id = fields.Integer(allow_none=True)


class MyPartSchema(Schema):
    eligible = fields.Boolean()
    ballot = fields.Nested(BallotSchema, allow_none=True)


class ElectorateSchema(Schema):
    headcount = fields.Integer()
    area_m2 = fields.String(allow_none=True)


class VoteDetailSchema(VoteSchema):
    turnout = fields.Nested(TurnoutSchema)
    me = fields.Nested(MyPartSchema)
    chain_head = fields.String()
    ballots_count = fields.Integer()
    electorate = fields.Nested(ElectorateSchema, allow_none=True)
    documents = fields.List(fields.Nested(DocumentSchema))
    questions = fields.List(fields.Nested(QuestionSchema))
    objections = fields.List(fields.Nested(ObjectionSchema))
    cost_plan = fields.Nested(CostPlanAnswerSchema, allow_none=True)


class BallotCreateSchema(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(CHOICES))
    unit_id = Id(load_default=None, allow_none=True)
    channel = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(CHANNELS))
    note = Text(200, min_length=0, load_default=None, allow_none=True)
    user_id = Id(load_default=None, allow_none=True)
    for_owner_id = Id(load_default=None, allow_none=True)

    @validates_schema
    def staff_fields_together(self, data, **kwargs):
        """Online ballots carry no unit; a staff-recorded one names its unit and channel; a
        proxy's names the owner it is for, and nothing else."""
        if data.get("for_owner_id") is not None:
            if data.get("unit_id") is not None or data.get("channel") not in (None, "proxy") \
                    or data.get("note") or data.get("user_id"):
                raise ValidationError("A proxy ballot takes only choice and for_owner_id.",
                                      "for_owner_id")
            return
        if data.get("channel") == "proxy":
            raise ValidationError("A proxy ballot names for_owner_id.", "for_owner_id")
        if data.get("unit_id") is None:
            if data.get("channel") not in (None, "online"):
                raise ValidationError("A kiosk or paper ballot needs unit_id.", "unit_id")
            if data.get("note") or data.get("user_id"):
                raise ValidationError("Only staff-recorded ballots take a note.", "note")
        elif data.get("channel") not in ("kiosk", "paper"):
            raise ValidationError("Choose kiosk or paper.", "channel")


class BallotAnswerSchema(Schema):
    receipt = fields.String()
    ballot = fields.Nested(BallotSchema)


class ReceiptSchema(Schema):
    vote_id = fields.Integer()
    counted = fields.Boolean()
    superseded = fields.Boolean()
    choice = fields.String()
    channel = fields.String()
    recorded_at = fields.AwareDateTime()


class TallySchema(Schema):
    yes = fields.Nested(WeightSchema)
    no = fields.Nested(WeightSchema)
    abstain = fields.Nested(WeightSchema)


class ResultSchema(Schema):
    status = fields.String()
    rule = fields.String()
    eligible = fields.Nested(WeightSchema)
    participating = fields.Nested(WeightSchema)
    quorum_met = fields.Boolean()
    tally = fields.Nested(TallySchema)
    passed = fields.Boolean()
    chain_head = fields.String()
    ballots_count = fields.Integer()


class OwnerContactSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    phone = fields.String(allow_none=True)


class PendingUnitSchema(Schema):
    """A unit on the door-knocking list (staff only: owner names and phones)."""

    id = fields.Integer()
    number = fields.String()
    floor = fields.Integer()
    building_id = fields.Integer()
    building_name = fields.Function(lambda unit: unit.building.name)
    floor_area_m2 = fields.Function(lambda unit: f"{unit.floor_area_m2:.2f}")
    owner = fields.Nested(OwnerContactSchema, allow_none=True)


vote_schema = VoteSchema()
ballot_schema = BallotSchema()
receipt_schema = ReceiptSchema()
pending_unit_schema = PendingUnitSchema()
