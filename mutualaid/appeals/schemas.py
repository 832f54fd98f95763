"""Appeal input and output shapes. The appellant's name and the photos are added per viewer."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mutualaid.accounts.schemas import PublicUserSchema
from mutualaid.appeals.categories import CODES
from mutualaid.appeals.models import EVENT_KINDS, LEVELS, RATINGS, STATUSES
from mutualaid.core.schemas import Flag, Id, Text

LIMIT_MINUTES = validate.Range(1, 100_000)


class PhotoSchema(Schema):
    id = fields.Integer()
    url = fields.String()


class AppealSchema(Schema):
    """An appeal as a viewer who may see it gets it (``appellant``, ``photos`` per viewer)."""

    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    level = fields.String(validate=validate.OneOf(LEVELS))
    category = fields.String()
    title = fields.String()
    description = fields.String()
    community_id = fields.Integer()
    building_id = fields.Integer()
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    public = fields.Boolean()
    anonymous = fields.Boolean()
    appellant = fields.Nested(PublicUserSchema, allow_none=True, dump_default=None)
    photos = fields.List(fields.Nested(PhotoSchema), dump_default=())
    reply = fields.String(allow_none=True)
    rating = fields.String(allow_none=True)
    merged_into_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer()


class NewAppealSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CODES))
    title = Text(100, required=True)
    description = Text(2000, min_length=0, load_default="")
    building_id = Id(load_default=None, allow_none=True)
    lat = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                       validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                       validate=validate.Range(-180, 180))
    public = Flag(load_default=True)
    anonymous = Flag(load_default=False)
    on_behalf_of = Id(load_default=None, allow_none=True)
    visit_note = Text(1000, min_length=0, load_default=None, allow_none=True)

    @validates_schema
    def _lat_with_lon(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("Give both lat and lon.", "lon")


class AppealQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    category = fields.String(load_default=None, validate=validate.OneOf(CODES))
    building_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**63 - 1))
    mine = fields.Boolean(load_default=False)


class ReplySchema(Schema):
    reply = Text(2000, required=True)


class ReasonSchema(Schema):
    reason = Text(1000, required=True)


class MergeSchema(Schema):
    into = Id(required=True)


class RatingSchema(Schema):
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    comment = Text(500, min_length=0, load_default=None, allow_none=True)


class EventSchema(Schema):
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    level = fields.String()
    kind = fields.String(validate=validate.OneOf(EVENT_KINDS))
    from_ = fields.String(attribute="from_status", data_key="from", allow_none=True)
    to = fields.String(attribute="to_status")
    note = fields.String(allow_none=True)


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))


class LevelLimitSchema(Schema):
    accept_minutes = fields.Integer(strict=True, validate=LIMIT_MINUTES)
    resolve_minutes = fields.Integer(strict=True, validate=LIMIT_MINUTES)


class LimitsSchema(Schema):
    grid = fields.Nested(LevelLimitSchema)
    community = fields.Nested(LevelLimitSchema)
    street = fields.Nested(LevelLimitSchema)


class StreetLimitsSchema(Schema):
    street = fields.Nested(LevelLimitSchema, required=True)


class SimilarQuerySchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CODES))
    building_id = fields.Integer(required=True, validate=validate.Range(1, 2**63 - 1))
    text = fields.String(load_default="", validate=validate.Length(0, 2000))


class SimilarAppealSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    category = fields.String()
    status = fields.String()
    building_id = fields.Integer()


class SimilarSchema(Schema):
    appeal = fields.Nested(SimilarAppealSchema)
    score = fields.Float()
    distance_m = fields.Integer()


class SimilarListSchema(Schema):
    items = fields.List(fields.Nested(SimilarSchema))


class CategorySchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


# the name and photos depend on the viewer (``_as_seen_by``): not dumped to be replaced
_columns_schema = AppealSchema(exclude=("appellant", "photos"))
event_schema = EventSchema()


def photo_url(photo):
    """Where a photo is served (to the appellant and staff only)."""
    return f"/api/v1/appeal-photos/{photo.id}"


def appeal_dumper(viewer=None):
    """A function dumping appeals as ``viewer`` may see them; their scope is read once."""
    finish = _as_seen_by(viewer)
    return lambda appeal: finish(appeal, _columns_schema.dump(appeal))


def dump_appeal(appeal, viewer=None):
    """One appeal as ``viewer`` may see it."""
    return appeal_dumper(viewer)(appeal)


def dump_appeals(appeals, viewer=None):
    """``dump_appeal`` of many appeals, their columns in one schema pass."""
    finish = _as_seen_by(viewer)
    return [finish(appeal, data)
            for appeal, data in zip(appeals, _columns_schema.dump(appeals, many=True))]


def _as_seen_by(viewer):
    """A function adding to an appeal's dumped columns the name and photos ``viewer`` sees."""
    from mutualaid.appeals.access import Scope

    scope = Scope(viewer) if viewer is not None else None

    def finish(appeal, data):
        named = scope.sees_name(appeal) if scope else not appeal.anonymous
        data["appellant"] = ({"id": appeal.appellant.id,
                              "display_name": appeal.appellant.display_name}
                             if named else None)
        full = scope is not None and (scope.handles(appeal) or
                                      appeal.appellant_id == viewer.id)
        data["photos"] = [{"id": p.id, "url": photo_url(p)} for p in appeal.photos] if full else []
        return data

    return finish


# Boards cover real periods; far dates would overflow when turned into instants (a 500).
PLAUSIBLE = validate.Range(date(2000, 1, 1), date(2999, 12, 31))


class BoardQuerySchema(Schema):
    from_ = fields.Date(data_key="from", load_default=None, validate=PLAUSIBLE)
    to = fields.Date(load_default=None, validate=PLAUSIBLE)

    @validates_schema
    def _ordered(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start and end and (end < start or (end - start).days > 3660):
            raise ValidationError("Choose a period of at most ten years, in order.", "to")


class PeriodSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()


class CategoryFiguresSchema(Schema):
    received = fields.Integer()
    resolved = fields.Integer()


class RankSchema(Schema):
    kind = fields.String()
    id = fields.Integer()
    name = fields.String()
    received = fields.Integer()
    resolution_rate = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True)


class RankingSchema(Schema):
    praise = fields.List(fields.Nested(RankSchema))
    try_harder = fields.List(fields.Nested(RankSchema))


class BoardAppealSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    title = fields.String()
    building_id = fields.Integer()
    status = fields.String()
    level = fields.String()
    created_at = fields.String()
    reply = fields.String(allow_none=True)


class BoardAppealPageSchema(Schema):
    items = fields.List(fields.Nested(BoardAppealSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class BoardSchema(Schema):
    period = fields.Nested(PeriodSchema)
    received = fields.Integer()
    accepted_in_time = fields.Integer()
    resolved = fields.Integer()
    rated = fields.Integer()
    satisfied = fields.Integer()
    basically_satisfied = fields.Integer()
    unrated_closed = fields.Integer()
    acceptance_rate = fields.Float(allow_none=True)
    resolution_rate = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True)
    median_hours_to_resolve = fields.Float(allow_none=True)
    by_category = fields.Dict(keys=fields.String(), values=fields.Nested(CategoryFiguresSchema))
    ranking = fields.Nested(RankingSchema)
    appeals = fields.Nested(BoardAppealPageSchema)


class RecurringSchema(Schema):
    category = fields.String()
    building_id = fields.Integer()
    month = fields.String()
    count = fields.Integer()


class RecurringListSchema(Schema):
    items = fields.List(fields.Nested(RecurringSchema))


class PhotoInSchema(Schema):
    """multipart/form-data with one ``file`` (JPEG, PNG or WebP, at most 5 MB)."""
