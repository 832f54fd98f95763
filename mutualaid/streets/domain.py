"""Rules for streets and grids: who makes them, and who they let act where.

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_admin, require_staff_of
from mutualaid.core.errors import Conflict, NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Building
from mutualaid.streets.models import (
    Grid, GridBuilding, GridWorker, Street, StreetCommunity, StreetStaff,
)


def create_street(actor, name):
    """Create a street (admins only); raises Conflict when the name exists."""
    require_admin(actor)
    if db.session.scalar(sa.select(Street.id).where(Street.name == name)):
        message = _("A street with this name exists.")
        raise Conflict(message, code="duplicate", fields={"name": [message]})
    street = Street(name=name)
    db.session.add(street)
    db.session.flush()
    return street


def add_community(actor, street, community):
    """Put a community into a street, moving it out of any other (admins only)."""
    require_admin(actor)
    row = db.session.get(StreetCommunity, community.id)
    if row is None:
        db.session.add(StreetCommunity(community_id=community.id, street_id=street.id))
    else:
        row.street_id = street.id
    db.session.flush()
    return street


def add_street_staff(actor, street, user):
    """Make ``user`` staff of a street (admins only): they act on its appeals and boards."""
    require_admin(actor)
    if user.role == "resident":
        user.role = "staff"
    if db.session.get(StreetStaff, (user.id, street.id)) is None:
        db.session.add(StreetStaff(user_id=user.id, street_id=street.id))
    db.session.flush()
    return street


def create_grid(actor, community, name, building_ids, worker_ids):
    """Staff of a community make a grid of its buildings with its workers. Raises Forbidden,
    ValidationFailed (a building or worker not of the community), Conflict (a name taken,
    or a building already in a grid)."""
    require_staff_of(actor, community.id)
    if db.session.scalar(sa.select(Grid.id).where(Grid.community_id == community.id,
                                                  Grid.name == name)):
        message = _("This community already has a grid with this name.")
        raise Conflict(message, code="duplicate", fields={"name": [message]})
    _check_buildings(community, building_ids)
    _check_workers(community, worker_ids)
    grid = Grid(community_id=community.id, name=name)
    db.session.add(grid)
    db.session.flush()
    db.session.add_all([GridBuilding(building_id=b, grid_id=grid.id) for b in building_ids])
    db.session.add_all([GridWorker(grid_id=grid.id, user_id=u) for u in worker_ids])
    db.session.flush()
    return grid


def _check_buildings(community, building_ids):
    """Every building is the community's and in no grid yet."""
    found = dict(db.session.execute(sa.select(Building.id, Building.community_id)
                                    .where(Building.id.in_(building_ids))).all())
    if set(found) != set(building_ids):
        raise NotFound(_("No such building."))
    if set(found.values()) != {community.id}:
        message = _("Choose buildings of this community.")
        raise ValidationFailed(message, fields={"building_ids": [message]})
    if db.session.scalar(sa.select(GridBuilding.building_id)
                         .where(GridBuilding.building_id.in_(building_ids)).limit(1)):
        message = _("A building can be in one grid only.")
        raise Conflict(message, code="building_in_grid", fields={"building_ids": [message]})


def _check_workers(community, worker_ids):
    """Every worker is a staff account (made by an admin; being a worker gives them the grid
    and nothing else) or a verified resident of the community."""
    from mutualaid.accounts.models import User

    for user_id in worker_ids:
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound(_("No such user."))
        if not user.active or not _may_work_in(user, community.id):
            message = _("Grid workers are staff or verified residents of the community.")
            raise ValidationFailed(message, fields={"worker_ids": [message]})


def _may_work_in(user, community_id):
    """True for staff accounts and the community's verified residents."""
    if user.is_staff:
        return True
    return (user.verified and user.unit is not None
            and user.unit.building.community_id == community_id)


def street_id_of(community_id):
    """The street a community belongs to, or None."""
    return db.session.scalar(sa.select(StreetCommunity.street_id)
                             .where(StreetCommunity.community_id == community_id))


def get_street(street_id):
    """The street with this id; raises NotFound."""
    street = db.session.get(Street, street_id)
    if street is None:
        raise NotFound(_("No such street."))
    return street


def streets_staffed_by(user):
    """The streets ``user`` is staff of (every street for admins), by name."""
    select = sa.select(Street).order_by(Street.name)
    if user.role != "admin":
        select = select.where(Street.id.in_(street_ids_of(user)))
    return db.session.scalars(select).all()


def street_community_ids(street_id):
    """The ids of a street's communities."""
    return set(db.session.scalars(sa.select(StreetCommunity.community_id)
                                  .where(StreetCommunity.street_id == street_id)))


def street_ids_of(user):
    """The streets ``user`` is staff of."""
    return set(db.session.scalars(sa.select(StreetStaff.street_id)
                                  .where(StreetStaff.user_id == user.id)))


def street_staff_community_ids(user):
    """The communities of every street ``user`` is staff of."""
    return set(db.session.scalars(
        sa.select(StreetCommunity.community_id)
        .join(StreetStaff, StreetStaff.street_id == StreetCommunity.street_id)
        .where(StreetStaff.user_id == user.id)))


def is_street_staff_of(user, street_id):
    """True for admins and the street's staff."""
    return user.role == "admin" or db.session.get(StreetStaff, (user.id, street_id)) is not None


def grid_of_building(building_id):
    """The grid a building is in, or None."""
    return db.session.scalar(sa.select(GridBuilding.grid_id)
                             .where(GridBuilding.building_id == building_id))


def worker_grid_ids(user):
    """The grids ``user`` works in."""
    return set(db.session.scalars(sa.select(GridWorker.grid_id)
                                  .where(GridWorker.user_id == user.id)))


def grid_worker_ids(grid_id):
    """The grid's workers."""
    return set(db.session.scalars(sa.select(GridWorker.user_id)
                                  .where(GridWorker.grid_id == grid_id)))
