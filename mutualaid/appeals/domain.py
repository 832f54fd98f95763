"""Appeal rules: filing, the lifecycle of DESIGN.md level by level, ratings and followers.

submitted → accepted → in_progress → resolved → closed; submitted → rejected (a reason);
any open appeal → duplicate (merged into another); resolved → reopened when the appellant is
not satisfied, one level up, then accepted, started and resolved again. Escalation (by
staff with a reason, or by itself when a level's time limit runs out: ``checks.py``) moves
an open appeal up a level and keeps its status. Every step is one conditional UPDATE on the
status and version the caller saw, so of two racing requests one wins and the other gets
409, and every step is an event counted to a level.

Functions flush but never commit; they take ``now`` so tests can run the clock.
"""
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_pgettext
from geopy.distance import great_circle

from mutualaid.accounts.domain import require_staff_of, require_verified
from mutualaid.accounts.models import User
from mutualaid.appeals import limits, publish, tally
from mutualaid.appeals.access import Scope, require_acts
from mutualaid.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, AppealFollow
from mutualaid.core.database import get_or_404, utcnow
from mutualaid.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Building
from mutualaid.streets import domain as streets

NEAREST_BUILDING_M = 300
RATING_DAYS = 7
# kind of step: (statuses it may start from, status it leads to)
TRANSITIONS = {
    "accepted": (("submitted", "reopened"), "accepted"),
    "started": (("accepted",), "in_progress"),
    "resolved": (("in_progress",), "resolved"),
    "rejected": (("submitted",), "rejected"),
    "merged": (OPEN_STATUSES, "duplicate"),
    "closed": (("resolved",), "closed"),
    "reopened": (("resolved",), "reopened"),
}
STATUS_NAMES = {
    "submitted": lazy_gettext("Submitted"),
    "accepted": lazy_pgettext("appeal status", "Accepted"),
    "in_progress": lazy_gettext("In progress"), "resolved": lazy_gettext("Resolved"),
    "closed": lazy_pgettext("appeal status", "Closed"), "rejected": lazy_gettext("Rejected"),
    "duplicate": lazy_gettext("Duplicate"), "reopened": lazy_gettext("Reopened"),
}
LEVEL_NAMES = {"grid": lazy_gettext("Grid"), "community": lazy_gettext("Community"),
               "street": lazy_gettext("Street")}


def file_appeal(actor, data, now=None, anywhere=False):
    """File an appeal for ``actor`` (or, for staff, ``on_behalf_of`` a resident after a
    visit, with a ``visit_note``). ``anywhere`` (Open311) takes a place in any community.
    Raises Forbidden (not verified, not staff there), ValidationFailed (no such resident, a
    place outside the community: ``outside_community``)."""
    now = now or utcnow()
    if anywhere:
        require_verified(actor)
        appellant, building = actor, _place(None, data)
    else:
        appellant = _appellant_for(actor, data.get("on_behalf_of"))
        building = _place(appellant.unit.building.community_id, data)
    grid_id = streets.grid_of_building(building.id)
    appeal = Appeal(
        community_id=building.community_id, building_id=building.id, grid_id=grid_id,
        lat=data.get("lat"), lon=data.get("lon"), category=data["category"],
        title=data["title"], description=data.get("description") or "",
        public=data.get("public", True), anonymous=data.get("anonymous", False),
        appellant_id=appellant.id, created_by_id=actor.id,
        visit_note=data.get("visit_note") if appellant is not actor else None,
        media_url=data.get("media_url"), status="submitted",
        level="grid" if grid_id is not None else "community", level_since=now,
        version=1, created_at=now, updated_at=now,
    )
    appeal.due_at = limits.due_for(appeal)
    db.session.add(appeal)
    db.session.flush()
    tally.apply([(None, appeal)])
    _event(appeal, actor, "filed", None, "submitted", now, appeal.visit_note)
    publish.appeal_updated(appeal)
    return appeal


def _appellant_for(actor, on_behalf_of):
    """The resident an appeal is for; staff may name one of their community."""
    if on_behalf_of is None:
        if not actor.is_staff:
            require_verified(actor)
        if actor.unit is None:
            message = _("Choose the resident this appeal is for.")
            raise ValidationFailed(message, fields={"on_behalf_of": [message]})
        return actor
    if not actor.is_staff:
        raise Forbidden(_("Only staff may file on behalf of someone."))
    appellant = get_or_404(User, on_behalf_of, _("No such resident."))
    if appellant.unit is None:
        message = _("No such resident.")
        raise ValidationFailed(message, fields={"on_behalf_of": [message]})
    require_staff_of(actor, appellant.unit.building.community_id)
    return appellant


def _place(community_id, data):
    """The building an appeal is about: the one given, or the nearest of the community (of
    any, when ``community_id`` is None) to ``lat``/``lon`` within 300 m. Raises
    ValidationFailed ``outside_community``."""
    if data.get("building_id") is not None:
        building = get_or_404(Building, data["building_id"], _("No such building."))
        if community_id not in (None, building.community_id):
            _outside("building_id")
        return building
    if data.get("lat") is None or data.get("lon") is None:
        message = _("Choose a building, or the place on the map.")
        raise ValidationFailed(message, fields={"building_id": [message]})
    return nearest_building(_buildings_near(community_id, data["lat"], data["lon"]),
                            data["lat"], data["lon"]) or _outside("lat")


def _buildings_near(community_id, lat, lon):
    """Buildings in a box of about 300 m around a point (of one community, or of any)."""
    span = NEAREST_BUILDING_M / 111_000 * 1.5  # degrees of latitude, with room for longitude
    select = sa.select(Building).where(Building.lat.between(lat - span, lat + span),
                                       Building.lon.between(lon - 2 * span, lon + 2 * span))
    if community_id is not None:
        select = select.where(Building.community_id == community_id)
    return db.session.scalars(select).all()


def nearest_building(buildings, lat, lon):
    """The building nearest to a point within 300 m, or None."""
    best = min(buildings, default=None,
               key=lambda b: great_circle((b.lat, b.lon), (lat, lon)).meters)
    if best is None or great_circle((best.lat, best.lon), (lat, lon)).meters > NEAREST_BUILDING_M:
        return None
    return best


def _outside(field):
    """Raise the error of a place outside the community."""
    message = _("This place is not in your community.")
    raise ValidationFailed(message, code="outside_community", fields={field: [message]})


def accept_appeal(actor, appeal, now=None):
    """Those responsible at the appeal's level accept it (受理); the first acceptance is
    counted in time or not. Raises Forbidden, InvalidTransition."""
    now = now or utcnow()
    _require_from(appeal, "accepted")
    require_acts(actor, appeal)
    values = {}
    if appeal.first_accepted_at is None:
        values = {"first_accepted_at": now,
                  "accepted_in_time": appeal.due_at is None or now <= appeal.due_at}
    return _move(appeal, actor, "accepted", now, **values)


def start_appeal(actor, appeal, now=None):
    """Work on an accepted appeal begins. Raises Forbidden, InvalidTransition."""
    _require_from(appeal, "started")
    require_acts(actor, appeal)
    return _move(appeal, actor, "started", now)


def resolve_appeal(actor, appeal, reply, now=None):
    """The appeal is solved (办结), with a reply to the appellant; they may rate it for 7
    days. Raises Forbidden, InvalidTransition."""
    now = now or utcnow()
    _require_from(appeal, "resolved")
    require_acts(actor, appeal)
    values = {"reply": reply, "resolved_at": now}
    if appeal.first_resolved_at is None:
        values |= {"first_resolved_at": now,
                   "resolve_seconds": int((now - appeal.created_at).total_seconds())}
    return _move(appeal, actor, "resolved", now, note=reply, **values)


def reject_appeal(actor, appeal, reason, now=None):
    """Not taken on (不予受理), with the reason. Raises Forbidden, InvalidTransition."""
    _require_from(appeal, "rejected")
    require_acts(actor, appeal)
    return _move(appeal, actor, "rejected", now, note=reason, reply=reason)


def merge_appeal(actor, appeal, into, now=None):
    """Merge a duplicate into another open appeal of the community; its appellant follows
    that one. Raises Forbidden, InvalidTransition, ValidationFailed (not a fitting target)."""
    _require_from(appeal, "merged")
    require_acts(actor, appeal)
    if into.id == appeal.id or into.community_id != appeal.community_id or not into.is_open:
        message = _("Merge into another open appeal of the same community.")
        raise ValidationFailed(message, fields={"into": [message]})
    _move(appeal, actor, "merged", now, note=f"#{into.id}", merged_into_id=into.id)
    _add_follower(into, appeal.appellant_id)
    return appeal


def escalate_appeal(actor, appeal, reason, now=None):
    """Those responsible send an open appeal up a level (吹哨报到), with the reason. Raises
    Forbidden, InvalidTransition (not open), Conflict ``top_level`` (nowhere higher)."""
    if not appeal.is_open:
        _refuse(appeal, appeal.status)
    require_acts(actor, appeal)
    higher = next_level(appeal)
    if higher is None:
        raise Conflict(_("This appeal is already at the highest level."), code="top_level")
    return escalate_to(appeal, actor, higher, reason, now)


def escalate_to(appeal, actor, level, note, now=None):
    """Move an open appeal to ``level`` (its limits run afresh there), with an event."""
    now = now or utcnow()
    return _move(appeal, actor, "escalated", now, note=note, level=level, level_since=now,
                 overdue_noted=None)


def next_level(appeal):
    """The level above the appeal's, or None at the top (a community without a street
    stops at ``community``)."""
    if appeal.level == "grid":
        return "community"
    return level_above(appeal.level, streets.street_id_of(appeal.community_id) is not None)


def level_above(level, in_a_street):
    """The level above ``level`` for a community in a street or not, or None at the top."""
    if level == "grid":
        return "community"
    if level == "community" and in_a_street:
        return "street"
    return None


def rate_appeal(actor, appeal, rating, comment=None, now=None):
    """The appellant rates a resolved appeal within 7 days: satisfied and basically
    satisfied close it; unsatisfied reopens it one level up (at the top, at the top).
    Raises Forbidden (not the appellant), InvalidTransition (not resolved, or too late)."""
    now = now or utcnow()
    if actor.id != appeal.appellant_id:
        raise Forbidden(_("Only the appellant may rate this appeal."))
    _require_from(appeal, "closed")
    if now > appeal.resolved_at + timedelta(days=RATING_DAYS):
        raise InvalidTransition(_("The time to rate this appeal is over."),
                                code="rating_closed")
    _event(appeal, actor, "rated", "resolved", "resolved", now, rating)
    values = {"rating": rating, "rating_comment": comment or None}
    if rating != "unsatisfied":
        return _move(appeal, actor, "closed", now, **values)
    level = next_level(appeal) or appeal.level
    return _move(appeal, actor, "reopened", now, level=level, level_since=now,
                 overdue_noted=None, **values)


def close_unrated(appeal, now=None):
    """Close a resolved appeal nobody rated in 7 days (counted apart on the board)."""
    return _move(appeal, None, "closed", now, note=unrated_note(), closed_unrated=True)


def unrated_note():
    """Why an appeal closed by itself (in the language of the moment)."""
    return _("Not rated within 7 days.")


def note_overdue(appeal, now=None):
    """Mark an appeal at the top level overdue for its running limit, once."""
    stage = limits.stage_of(appeal)
    return _move(appeal, None, "overdue", now, note=_overdue_reason(appeal),
                 overdue_noted=stage)


def _overdue_reason(appeal):
    """Why an appeal was moved or marked by itself."""
    level = LEVEL_NAMES[appeal.level]
    if limits.stage_of(appeal) == "accept":
        return _("Not accepted within the time limit of the %(level)s level.", level=level)
    return _("Not resolved within the time limit of the %(level)s level.", level=level)


def follow(actor, appeal):
    """Follow an appeal one may see (told of each step)."""
    _add_follower(appeal, actor.id)


def unfollow(actor, appeal):
    """Stop following an appeal."""
    row = db.session.get(AppealFollow, (appeal.id, actor.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def _add_follower(appeal, user_id):
    """Add a follower unless they follow already."""
    if db.session.get(AppealFollow, (appeal.id, user_id)) is None:
        db.session.add(AppealFollow(appeal_id=appeal.id, user_id=user_id))
        db.session.flush()


def follower_ids(appeal):
    """The users following an appeal."""
    return set(db.session.scalars(sa.select(AppealFollow.user_id)
                                  .where(AppealFollow.appeal_id == appeal.id)))


def events_of(appeal):
    """The appeal's timeline, oldest first."""
    return db.session.scalars(sa.select(AppealEvent).where(AppealEvent.appeal_id == appeal.id)
                              .order_by(AppealEvent.at, AppealEvent.id)).all()


def allowed_actions(user, appeal):
    """The steps ``user`` may take on ``appeal`` now (what its page offers)."""
    actions = []
    scope = Scope(user)
    if scope.acts_at(appeal):
        actions = [kind for kind in ("accepted", "started", "resolved", "rejected", "merged")
                   if appeal.status in TRANSITIONS[kind][0]]
        if appeal.is_open and next_level(appeal) is not None:
            actions.append("escalated")
    if user.id == appeal.appellant_id and appeal.status == "resolved":
        actions.append("rated")
    return actions


def _require_from(appeal, kind):
    """Raise InvalidTransition unless a ``kind`` step may start from the appeal's status."""
    sources, target = TRANSITIONS[kind]
    if appeal.status not in sources:
        _refuse(appeal, target)


def _refuse(appeal, target):
    """Raise InvalidTransition naming the appeal's status."""
    raise InvalidTransition(_("This appeal is %(status)s; it cannot become %(target)s.",
                              status=STATUS_NAMES[appeal.status],
                              target=STATUS_NAMES[target]))


def _move(appeal, actor, kind, now=None, note=None, **values):
    """Apply a step with one conditional UPDATE on the status and version seen, record the
    event and announce it. Raises InvalidTransition when another request was first."""
    now = now or utcnow()
    seen, before = appeal.status, tally.snapshot(appeal)
    target = _target(appeal, kind)
    values["due_at"] = due_after(appeal, target, values)
    result = db.session.execute(
        sa.update(Appeal).where(Appeal.id == appeal.id, Appeal.status == seen,
                                Appeal.version == appeal.version)
        .values(status=target, version=Appeal.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(appeal)
        raise InvalidTransition(_("Someone else changed this appeal first: it is %(status)s now.",
                                  status=STATUS_NAMES[appeal.status]))
    db.session.refresh(appeal)
    tally.apply([(before, appeal)])
    _event(appeal, actor, kind, seen, target, now, note)
    publish.appeal_updated(appeal)
    return appeal


def _target(appeal, kind):
    """The status a ``kind`` step leads to (escalations and marks keep the appeal's)."""
    return TRANSITIONS[kind][1] if kind in TRANSITIONS else appeal.status


def due_after(appeal, target, values, limits_of=None):
    """The due time of ``appeal`` once it has ``target`` status and the changed ``values``."""
    after = {column: getattr(appeal, column)
             for column in ("community_id", "level", "level_since", "overdue_noted")}
    after |= {key: value for key, value in values.items() if key in after} | {"status": target}
    return limits.due_for(SimpleNamespace(**after), limits_of)


def move_many(steps, now):
    """Apply automatic steps ``[(appeal, kind, note, values)]`` (``values`` with their
    ``due_at``) to many appeals: one UPDATE per set of equal changes, each row guarded by
    the version seen (an appeal someone changed meanwhile is left out), the events in one
    insert, then the appellants told and each appeal announced. Returns the appeals moved."""
    groups = {}
    for appeal, kind, note, values in steps:
        groups.setdefault((kind, note, tuple(sorted(values.items()))), []).append(appeal)
    moved, events = {}, []
    for (kind, note, values), appeals in groups.items():
        target = _target(appeals[0], kind)
        values = dict(values) | {"status": target, "updated_at": now}
        ids = _update_unchanged(appeals, values)
        for appeal in appeals:
            if appeal.id in ids:
                moved[appeal.id] = (appeal, values)
                events.append(dict(appeal_id=appeal.id, actor_id=None, at=now, kind=kind,
                                   level=values.get("level", appeal.level),
                                   from_status=appeal.status, to_status=target, note=note))
    if not moved:
        return []
    db.session.execute(sa.insert(AppealEvent), events)
    before = {appeal_id: tally.snapshot(appeal) for appeal_id, (appeal, _v) in moved.items()}
    fresh = _as_written([moved[appeal_id] for appeal_id in sorted(moved)])
    tally.apply([(before[appeal.id], appeal) for appeal in fresh])
    _tell_appellants(fresh, {event["appeal_id"]: event["kind"] for event in events})
    publish.appeals_updated(fresh)
    return fresh


def _as_written(moved):
    """The appeals of ``[(appeal, values written)]`` as their rows now are, without reading
    them again: each gets the values its guarded UPDATE wrote and its appellant (read at
    once, for the announcements)."""
    appellants = {user.id: user for user in db.session.scalars(sa.select(User).where(
        User.id.in_({appeal.appellant_id for appeal, _values in moved})))}
    for appeal, values in moved:
        for key, value in values.items():
            so.attributes.set_committed_value(appeal, key, value)
        so.attributes.set_committed_value(appeal, "version", appeal.version + 1)
        so.attributes.set_committed_value(appeal, "appellant", appellants[appeal.appellant_id])
    return [appeal for appeal, _values in moved]


def _update_unchanged(appeals, values):
    """Set ``values`` on those of ``appeals`` still at the version seen; returns their ids."""
    return set(db.session.scalars(
        sa.update(Appeal).where(  # the ids alone let SQLite search by the primary key
            Appeal.id.in_([appeal.id for appeal in appeals]),
            sa.tuple_(Appeal.id, Appeal.version).in_(
                [(appeal.id, appeal.version) for appeal in appeals]))
        .values(version=Appeal.version + 1, **values)
        .returning(Appeal.id).execution_options(synchronize_session=False)))


def _event(appeal, actor, kind, from_status, to_status, now, note=None):
    """Record a step at the appeal's (new) level, and tell those who follow it."""
    event = AppealEvent(appeal_id=appeal.id, actor_id=actor.id if actor else None, at=now,
                        level=appeal.level, kind=kind, from_status=from_status,
                        to_status=to_status, note=note)
    db.session.add(event)
    db.session.flush()
    _tell_appellant(appeal, event)
    return event


def _tell_appellant(appeal, event):
    """The appellant and the followers hear of each step (``appeal.updated``: inbox, and Web
    Push or SMS as they chose), but not of the one they took themselves."""
    from mutualaid.notifications.domain import notify

    people = ({appeal.appellant_id} | follower_ids(appeal)) - {event.actor_id}
    notify(people, "appeal.updated", {"title": appeal.title, "step": event.kind},
           f"/appeals/{appeal.id}")


def _tell_appellants(appeals, steps):
    """``_tell_appellant`` for many appeals and their automatic steps (``{id: kind}``), the
    followers read at once."""
    from mutualaid.notifications.domain import notify_each

    followers = {}
    for appeal_id, user_id in db.session.execute(
            sa.select(AppealFollow.appeal_id, AppealFollow.user_id)
            .where(AppealFollow.appeal_id.in_([appeal.id for appeal in appeals]))):
        followers.setdefault(appeal_id, set()).add(user_id)
    notify_each("appeal.updated", [
        ({appeal.appellant_id} | followers.get(appeal.id, set()),
         {"title": appeal.title, "step": steps[appeal.id]}, f"/appeals/{appeal.id}")
        for appeal in appeals])
