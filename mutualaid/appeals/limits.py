"""Time limits per community and level, and the due time they give an open appeal."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of
from mutualaid.appeals.models import LEVELS, OPEN_STATUSES, Appeal, AppealLimit
from mutualaid.core.errors import Forbidden
from mutualaid.core.extensions import db
from mutualaid.streets import domain as streets

DAY = 24 * 60
DEFAULTS = {"grid": (DAY, 3 * DAY), "community": (DAY, 5 * DAY), "street": (2 * DAY, 10 * DAY)}
ACCEPTING = ("submitted", "reopened")  # waiting to be accepted at their level


def limits_for(community_id):
    """``{level: (accept_minutes, resolve_minutes)}`` of a community, defaults filled in."""
    return limits_by_community([community_id])[community_id]


def limits_by_community(community_ids):
    """``limits_for`` of each of ``community_ids``, read at once."""
    found = {community_id: dict(DEFAULTS) for community_id in community_ids}
    for row in db.session.scalars(sa.select(AppealLimit)
                                  .where(AppealLimit.community_id.in_(sorted(found)))):
        found[row.community_id][row.level] = (row.accept_minutes, row.resolve_minutes)
    return found


def as_dict(limits):
    """The limits as the API answers them."""
    return {level: {"accept_minutes": limits[level][0], "resolve_minutes": limits[level][1]}
            for level in LEVELS}


def stage_of(appeal):
    """Which limit runs for an appeal: "accept", "resolve" or None (not open)."""
    if appeal.status in ACCEPTING:
        return "accept"
    if appeal.status in OPEN_STATUSES:
        return "resolve"
    return None


def due_for(appeal, limits=None):
    """When the running limit of an open appeal ends (None if none runs, or once an appeal
    at the top was marked overdue for it)."""
    stage = stage_of(appeal)
    if stage is None or appeal.overdue_noted == stage:
        return None
    limits = limits or limits_for(appeal.community_id)
    accept, resolve = limits[appeal.level]
    return appeal.level_since + timedelta(minutes=accept if stage == "accept" else resolve)


def set_community_limits(actor, community, data):
    """The community's staff set its grid and community limits (a partial change); open
    appeals get their due times at once. Raises Forbidden (not staff, or the street level)."""
    require_staff_of(actor, community.id)
    if "street" in data:
        raise Forbidden(_("The street's limits are set by the street's staff."),
                        code="street_level")
    _store(community.id, data)
    return limits_for(community.id)


def set_street_limits(actor, street, data):
    """The street's staff set the street level's limits for each of its communities; returns
    the street level's (accept, resolve). Raises Forbidden."""
    if not streets.is_street_staff_of(actor, street.id):
        raise Forbidden(_("Only staff of this street may do this."))
    merged = DEFAULTS["street"]
    for community_id in sorted(streets.street_community_ids(street.id)):
        _store(community_id, {"street": data})
        merged = limits_for(community_id)["street"]
    return merged


def _merged(current, change):
    """A level's (accept, resolve) with the given minutes changed."""
    return (change.get("accept_minutes", current[0]), change.get("resolve_minutes", current[1]))


def _store(community_id, data):
    """Write the changed levels and recompute due times of the community's open appeals."""
    current = limits_for(community_id)
    for level, change in data.items():
        accept, resolve = _merged(current[level], change)
        row = db.session.get(AppealLimit, (community_id, level))
        if row is None:
            db.session.add(AppealLimit(community_id=community_id, level=level,
                                       accept_minutes=accept, resolve_minutes=resolve))
        else:
            row.accept_minutes, row.resolve_minutes = accept, resolve
    db.session.flush()
    recompute_due(community_id)


def recompute_due(community_id):
    """Set ``due_at`` of every open appeal of a community from its current limits."""
    limits = limits_for(community_id)
    for appeal in db.session.scalars(sa.select(Appeal).where(
            Appeal.community_id == community_id, Appeal.status.in_(OPEN_STATUSES))):
        appeal.due_at = due_for(appeal, limits)
    db.session.flush()
