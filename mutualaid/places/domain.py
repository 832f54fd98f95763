"""Rules for communities, buildings, units and owners of record."""
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_admin, require_staff_of, visible_community_ids
from mutualaid.core.errors import Conflict, NotFound
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community, Unit


def create_community(actor, name):
    """Create a community (admins only); raises Conflict when the name exists."""
    require_admin(actor)
    if db.session.scalar(sa.select(Community.id).where(Community.name == name)):
        raise Conflict(_("A community with this name exists."), code="duplicate",
                       fields={"name": [_("A community with this name exists.")]})
    community = Community(name=name)
    db.session.add(community)
    db.session.flush()
    return community


def add_building(actor, community, name, lat, lon):
    """Add a building to a community (its staff only); raises Conflict on a duplicate name."""
    require_staff_of(actor, community.id)
    exists = sa.select(Building.id).where(
        Building.community_id == community.id, Building.name == name
    )
    if db.session.scalar(exists):
        raise Conflict(_("This community already has a building with this name."), code="duplicate",
                       fields={"name": [_("Already exists.")]})
    building = Building(community_id=community.id, name=name, lat=lat, lon=lon)
    db.session.add(building)
    db.session.flush()
    return building


def floor_of(number):
    """The floor a unit number implies: "1203" → 12, "502" → 5, "B-0801" → 8; None if none."""
    digits = re.sub(r"\D", "", number)
    return int(digits[:-2]) if len(digits) > 2 else None


def add_unit(actor, building, number, area_hundredths, floor=None):
    """Add a unit to a building (staff of its community); raises Conflict on a duplicate."""
    require_staff_of(actor, building.community_id)
    exists = sa.select(Unit.id).where(Unit.building_id == building.id, Unit.number == number)
    if db.session.scalar(exists):
        raise Conflict(_("This building already has a unit with this number."), code="duplicate",
                       fields={"number": [_("Already exists.")]})
    unit = Unit(building_id=building.id, number=number, area_hundredths=area_hundredths,
                floor=floor if floor is not None else floor_of(number))
    db.session.add(unit)
    db.session.flush()
    return unit


def set_owner(actor, unit, user):
    """Set (or with ``None`` clear) the owner of record of a unit."""
    require_staff_of(actor, unit.building.community_id)
    unit.owner_id = user.id if user else None
    db.session.flush()
    return unit


def buildings_of(viewer, community):
    """A select of a community's buildings, by name; raises NotFound unless ``viewer`` lives
    there or serves it (names and positions of other communities' buildings stay theirs)."""
    visible = visible_community_ids(viewer)
    if visible is not None and community.id not in visible:
        raise NotFound(_("Not found."))
    return (sa.select(Building).where(Building.community_id == community.id)
            .order_by(Building.name, Building.id))


def require_can_see_building(actor, building):
    """Raise Forbidden unless the actor lives in the building's community or is its staff."""
    if actor.unit is not None and actor.unit.building.community_id == building.community_id:
        return
    require_staff_of(actor, building.community_id)
