"""Vote factories: a building of owners, and votes opened through the domain like staff do."""
from datetime import timedelta

from mutualaid.core.database import utcnow
from mutualaid.votes import domain
from tests.factories import make_building, make_staff, make_unit, make_user


def make_vote(building=None, staff=None, rule="major", community=None, **kwargs):
    """A vote opened now by staff (of the building's community unless given)."""
    if community is None:
        building = building or make_building()
    scope_community = community or building.community
    staff = staff or make_staff(scope_community)
    kwargs.setdefault("title", "Replace the elevator")
    kwargs.setdefault("description", "A new lift, paid from the maintenance fund.")
    return domain.create_vote(staff, rule=rule, building=building, community=community, **kwargs)


def make_owner(building, number, area="75.12", verified=True, **kwargs):
    """A verified owner living in a new unit of ``building``; returns (owner, unit)."""
    unit = make_unit(building, number, area)
    owner = make_user(verified=verified, unit=unit if verified else None, relation="owner",
                      **kwargs)
    unit.owner_id = owner.id
    return owner, unit


def later(**delta):
    """A time after now."""
    return utcnow() + timedelta(**delta)
