"""Room names, and who may subscribe to which room.

Each feature registers a check for its kind of room with ``@room_check("order")``; the
subscribe handler asks it. Rooms: ``user:<id>``, ``building:<id>``, ``community:<id>``,
``order:<id>``, ``vote:<id>``.
"""
import re

from mutualaid.accounts.domain import staff_community_ids
from mutualaid.core.extensions import db
from mutualaid.places.models import Building

ROOM_CHECKS = {}
_ROOM = re.compile(r"^([a-z]+):([1-9][0-9]{0,17})$")


def room(kind, ident):
    """The name of a room: ``room("order", 7)`` → ``"order:7"``."""
    return f"{kind}:{ident}"


def room_check(kind):
    """Register ``check(user, ident) -> bool`` as the rule for subscribing to ``kind`` rooms."""

    def decorator(check):
        ROOM_CHECKS[kind] = check
        return check

    return decorator


def is_room_name(name):
    """True for a well-formed room name such as ``order:7``."""
    return isinstance(name, str) and _ROOM.match(name) is not None


def may_subscribe(user, name):
    """True when ``user`` may join the room called ``name``."""
    match = _ROOM.match(name) if isinstance(name, str) else None
    if match is None or match.group(1) not in ROOM_CHECKS:
        return False
    return bool(ROOM_CHECKS[match.group(1)](user, int(match.group(2))))


def home_rooms(user):
    """The rooms a user joins on connect: their own, their building's and community's."""
    rooms = [room("user", user.id)]
    if user.unit is not None:
        rooms += [room("building", user.unit.building_id),
                  room("community", user.unit.building.community_id)]
    return rooms


@room_check("user")
def _own_room(user, user_id):
    """Only you hear what is sent to you."""
    return user.id == user_id


@room_check("building")
def _building_room(user, building_id):
    """Residents of the building's community and its staff see the building's board."""
    building = db.session.get(Building, building_id)
    return building is not None and _sees_community(user, building.community_id)


@room_check("community")
def _community_room(user, community_id):
    """Residents of the community and its staff."""
    return _sees_community(user, community_id)


def _sees_community(user, community_id):
    """True for admins, the community's staff and its residents."""
    if user.role == "admin" or community_id in staff_community_ids(user):
        return True
    return user.unit is not None and user.unit.building.community_id == community_id
