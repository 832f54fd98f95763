"""Factories for matching tests: buildings placed in metres, skills, offers and needs."""
import math

from mutualaid.core.extensions import db
from mutualaid.matching.models import (ALL_DAYS, ALL_PARTS, Offer, OfferTag, UserSkill,
                                       home_position)
from mutualaid.matching.ranking import Need
from tests.factories import make_building, make_unit, make_user

ORIGIN = (23.0215, 113.1150)  # the demo estate in Chancheng, Foshan


def building_at(north_m=0, east_m=0, community=None):
    """A building ``north_m`` metres north and ``east_m`` east of ORIGIN."""
    lat = ORIGIN[0] + north_m / 111_195
    lon = ORIGIN[1] + east_m / (111_195 * math.cos(math.radians(ORIGIN[0])))
    return make_building(community, lat=lat, lon=lon)


def resident(building=None, **kwargs):
    """A verified resident living in ``building`` (a new one at ORIGIN unless given)."""
    return make_user(verified=True, unit=make_unit(building or building_at()), **kwargs)


def add_skills(user, *tags, radius_m=1000):
    """Give ``user`` these skills with one radius."""
    lat, lon = home_position(db.session, user.id)
    for tag in tags:
        db.session.add(UserSkill(user_id=user.id, tag=tag, radius_m=radius_m, lat=lat, lon=lon))
    db.session.flush()


def make_offer(owner, *tags, title="Help", radius_m=1000, days=ALL_DAYS, parts=ALL_PARTS,
               active=True):
    """An offer of ``owner`` with these tags."""
    lat, lon = home_position(db.session, owner.id)
    offer = Offer(owner_id=owner.id, title=title, radius_m=radius_m, available_days=days,
                  lat=lat, lon=lon,
                  available_parts=parts, active=active,
                  tag_rows=[OfferTag(tag=tag) for tag in tags])
    db.session.add(offer)
    db.session.flush()
    return offer


def need_of(requester, *tags, **kwargs):
    """A need of ``requester`` at their home building."""
    building = requester.unit.building
    return Need(tags=tuple(tags), lat=building.lat, lon=building.lon, building_id=building.id,
                requester_id=requester.id, **kwargs)
