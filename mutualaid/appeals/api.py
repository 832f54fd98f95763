"""/api/v1 routes for appeals: filing, the lifecycle, ratings, followers, photos, similar
appeals, the recurring view, the open boards and the time limits."""
from flask_login import current_user

from mutualaid.accounts.domain import require_staff_of
from mutualaid.api import endpoint, page_of
from mutualaid.appeals import access, checks, domain, limits, photos, similar
from mutualaid.appeals.board import board
from mutualaid.appeals.categories import taxonomy
from mutualaid.appeals.schemas import (
    AppealQuerySchema, AppealSchema, BoardQuerySchema, BoardSchema, CategoryListSchema,
    EventListSchema, LimitsSchema, MergeSchema, NewAppealSchema, PhotoSchema,
    RatingSchema, ReasonSchema, RecurringListSchema, ReplySchema, SimilarListSchema,
    SimilarQuerySchema, StreetLimitsSchema, appeal_dumper, dump_appeal, event_schema,
    photo_url,
)
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community
from mutualaid.streets import domain as streets
from mutualaid.streets.models import Street
from mutualaid.core.uploads import IMAGE_BYTES, allow_upload, read_upload


def _answer(appeal):
    """Commit the change and answer the appeal as the current user sees it."""
    db.session.commit()
    return dump_appeal(appeal, current_user)


def _visible(appeal_id):
    """The appeal the current user may see (404 otherwise), after the time-limit check."""
    checks.check_on_read()
    return access.get_visible(current_user, appeal_id)


@endpoint("/appeal-categories", response=CategoryListSchema, auth="anyone")
def categories():
    """The appeal categories with their Chinese and English names."""
    return {"items": taxonomy()}


@endpoint("/appeals", "POST", body=NewAppealSchema(), response=AppealSchema, status=201,
          limit="30/minute")
def create(data):
    """File an appeal (staff: ``on_behalf_of`` a resident after a visit, with a note)."""
    appeal = domain.file_appeal(current_user, data)
    return _answer(appeal), 201


@endpoint("/appeals", query=AppealQuerySchema(), response=AppealSchema, paged=True)
def list_appeals(args):
    """Appeals I may see, newest first: ``?status=&category=&building_id=&mine=``."""
    checks.check_on_read()
    select = access.visible_appeals(current_user, args["status"], args["category"],
                                    args["building_id"], args["mine"])
    return page_of(select, appeal_dumper(current_user), args)


@endpoint("/appeals/similar", query=SimilarQuerySchema(), response=SimilarListSchema)
def similar_appeals(args):
    """Open appeals like the one being written: same category nearby, or a similar text."""
    building = get_or_404(Building, args["building_id"])
    found = similar.similar_appeals(current_user, args["category"], building, args["text"])
    return {"items": [{"appeal": {"id": a.id, "title": a.title, "category": a.category,
                                  "status": a.status, "building_id": a.building_id},
                       "score": score, "distance_m": distance}
                      for a, score, distance in found]}


@endpoint("/appeals/<id:appeal_id>", response=AppealSchema)
def get(appeal_id):
    """One appeal; the appellant's name and the photos only for those allowed."""
    return dump_appeal(_visible(appeal_id), current_user)


@endpoint("/appeals/<id:appeal_id>/events", response=EventListSchema)
def events(appeal_id):
    """The appeal's timeline, each step with the level that took it."""
    appeal = _visible(appeal_id)
    return {"items": [event_schema.dump(event) for event in domain.events_of(appeal)]}


@endpoint("/appeals/<id:appeal_id>/follow", "POST", status=204)
def follow(appeal_id):
    """Follow an appeal (told of each step)."""
    domain.follow(current_user, _visible(appeal_id))
    db.session.commit()
    return "", 204


@endpoint("/appeals/<id:appeal_id>/follow", "DELETE", status=204)
def unfollow(appeal_id):
    """Stop following an appeal."""
    domain.unfollow(current_user, _visible(appeal_id))
    db.session.commit()
    return "", 204


@endpoint("/appeals/<id:appeal_id>/accept", "POST", response=AppealSchema)
def accept(appeal_id):
    """Those responsible at its level accept the appeal (受理)."""
    return _answer(domain.accept_appeal(current_user, _visible(appeal_id)))


@endpoint("/appeals/<id:appeal_id>/start", "POST", response=AppealSchema)
def start(appeal_id):
    """Work on the appeal begins."""
    return _answer(domain.start_appeal(current_user, _visible(appeal_id)))


@endpoint("/appeals/<id:appeal_id>/resolve", "POST", body=ReplySchema(), response=AppealSchema)
def resolve(appeal_id, data):
    """The appeal is solved (办结), with a reply."""
    return _answer(domain.resolve_appeal(current_user, _visible(appeal_id), data["reply"]))


@endpoint("/appeals/<id:appeal_id>/reject", "POST", body=ReasonSchema(), response=AppealSchema)
def reject(appeal_id, data):
    """Not taken on (不予受理), with the reason."""
    return _answer(domain.reject_appeal(current_user, _visible(appeal_id), data["reason"]))


@endpoint("/appeals/<id:appeal_id>/escalate", "POST", body=ReasonSchema(),
          response=AppealSchema)
def escalate(appeal_id, data):
    """Send the appeal up a level, with the reason (409 ``top_level`` at the top)."""
    return _answer(domain.escalate_appeal(current_user, _visible(appeal_id), data["reason"]))


@endpoint("/appeals/<id:appeal_id>/merge", "POST", body=MergeSchema(), response=AppealSchema)
def merge(appeal_id, data):
    """Merge a duplicate into another open appeal; its appellant follows that one."""
    appeal = _visible(appeal_id)
    into = access.get_visible(current_user, data["into"])
    return _answer(domain.merge_appeal(current_user, appeal, into))


@endpoint("/appeals/<id:appeal_id>/rating", "POST", body=RatingSchema(), response=AppealSchema)
def rate(appeal_id, data):
    """The appellant rates the resolution (unsatisfied reopens it one level up)."""
    appeal = _visible(appeal_id)
    return _answer(domain.rate_appeal(current_user, appeal, data["rating"], data["comment"]))


@endpoint("/appeals/<id:appeal_id>/photos", "POST", response=PhotoSchema, status=201,
          content_type="application/json")
def add_photo(appeal_id):
    """The appellant adds a photo (multipart ``file``; at most 3, 5 MB each)."""
    appeal = _visible(appeal_id)
    photos.require_may_add(current_user, appeal)
    allow_upload(IMAGE_BYTES)
    photo = photos.add_photo(current_user, appeal, read_upload("file", IMAGE_BYTES))
    db.session.commit()
    return {"id": photo.id, "url": photo_url(photo)}, 201


@endpoint("/appeal-photos/<id:photo_id>", content_type="image/*")
def photo(photo_id):
    """A photo of an appeal, for its appellant and staff only."""
    return photos.photo_response(photos.photo_for(current_user, photo_id))


@endpoint("/communities/<id:community_id>/appeals/recurring", query=BoardQuerySchema(),
          response=RecurringListSchema, auth="staff")
def recurring(community_id, args):
    """Staff: appeals counted by category × building × month, most first."""
    community = get_or_404(Community, community_id)
    _require_community_staff(community.id)
    start, end = _dates(args)
    return {"items": similar.recurring(community.id, start, end)}


def _require_community_staff(community_id):
    """Staff of the community, staff of its street, admins."""
    if community_id in streets.street_staff_community_ids(current_user):
        return
    require_staff_of(current_user, community_id)


def _dates(args):
    """The period asked for (defaults filled in)."""
    from mutualaid.appeals.period import period

    start, end, _since, _until = period(args["from_"], args["to"])
    return start, end


@endpoint("/communities/<id:community_id>/appeals-board", query=BoardQuerySchema(),
          response=BoardSchema, auth="anyone", paged=True)
def community_board(community_id, args):
    """The community's open board: figures, its grids ranked, public appeals anonymised."""
    community = get_or_404(Community, community_id)
    checks.check_on_read()
    return board({community.id}, args["from_"], args["to"], args["page"], args["per_page"],
                 rank_by="grid")


@endpoint("/streets/<id:street_id>/appeals-board", query=BoardQuerySchema(),
          response=BoardSchema, auth="anyone", paged=True)
def street_board(street_id, args):
    """The street's open board: figures, its communities ranked, public appeals anonymised."""
    street = get_or_404(Street, street_id)
    checks.check_on_read()
    return board(streets.street_community_ids(street.id), args["from_"], args["to"],
                 args["page"], args["per_page"], rank_by="community")


@endpoint("/communities/<id:community_id>/appeal-limits", response=LimitsSchema, auth="staff")
def get_limits(community_id):
    """Staff: the community's time limits per level, in minutes."""
    community = get_or_404(Community, community_id)
    _require_community_staff(community.id)
    return limits.as_dict(limits.limits_for(community.id))


@endpoint("/communities/<id:community_id>/appeal-limits", "PUT", body=LimitsSchema(),
          response=LimitsSchema, auth="staff")
def set_limits(community_id, data):
    """Staff: change the grid and community limits (partial); open appeals follow at once."""
    community = get_or_404(Community, community_id)
    answer = limits.as_dict(limits.set_community_limits(current_user, community, data))
    db.session.commit()
    return answer


@endpoint("/streets/<id:street_id>/appeal-limits", "PUT", body=StreetLimitsSchema(),
          response=StreetLimitsSchema, auth="staff")
def set_street_limits(street_id, data):
    """Street staff: change the street level's limits for every community of the street."""
    street = get_or_404(Street, street_id)
    accept, resolve = limits.set_street_limits(current_user, street, data["street"])
    db.session.commit()
    return {"street": {"accept_minutes": accept, "resolve_minutes": resolve}}
