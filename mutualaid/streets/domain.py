"""Rules for streets and grids: who makes them, and who they let act where.

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_admin, require_staff_of
from mutualaid.accounts.models import StaffMembership, User
from mutualaid.core.errors import Conflict, NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community, Unit
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
    _check_name(community, name)
    _check_buildings(community, building_ids)
    _check_workers(community, worker_ids)
    grid = Grid(community_id=community.id, name=name)
    db.session.add(grid)
    db.session.flush()
    db.session.add_all([GridBuilding(building_id=b, grid_id=grid.id) for b in building_ids])
    db.session.add_all([GridWorker(grid_id=grid.id, user_id=u) for u in worker_ids])
    db.session.flush()
    return grid


def update_grid(actor, grid, name=None, building_ids=None, worker_ids=None):
    """Staff of the grid's community rename it or give it new buildings or workers (each
    given list replaces the old one). Appeals already at the grid stay with it. Raises as
    ``create_grid``."""
    community = db.session.get(Community, grid.community_id)
    require_staff_of(actor, community.id)
    if name is not None and name != grid.name:
        _check_name(community, name)
        grid.name = name
    if building_ids is not None:
        _check_buildings(community, building_ids, grid.id)
        db.session.execute(sa.delete(GridBuilding).where(GridBuilding.grid_id == grid.id))
        db.session.add_all([GridBuilding(building_id=b, grid_id=grid.id) for b in building_ids])
    if worker_ids is not None:
        _check_workers(community, worker_ids)
        db.session.execute(sa.delete(GridWorker).where(GridWorker.grid_id == grid.id))
        db.session.add_all([GridWorker(grid_id=grid.id, user_id=u) for u in worker_ids])
    db.session.flush()
    return grid


def _check_name(community, name):
    """No other grid of the community has this name."""
    if db.session.scalar(sa.select(Grid.id).where(Grid.community_id == community.id,
                                                  Grid.name == name)):
        message = _("This community already has a grid with this name.")
        raise Conflict(message, code="duplicate", fields={"name": [message]})


def _check_buildings(community, building_ids, grid_id=None):
    """Every building is the community's and in no grid yet (but ``grid_id``)."""
    found = dict(db.session.execute(sa.select(Building.id, Building.community_id)
                                    .where(Building.id.in_(building_ids))).all())
    if set(found) != set(building_ids):
        raise NotFound(_("No such building."))
    if set(found.values()) != {community.id}:
        message = _("Choose buildings of this community.")
        raise ValidationFailed(message, fields={"building_ids": [message]})
    if db.session.scalar(sa.select(GridBuilding.building_id)
                         .where(GridBuilding.building_id.in_(building_ids),
                                GridBuilding.grid_id != (grid_id or 0)).limit(1)):
        message = _("A building can be in one grid only.")
        raise Conflict(message, code="building_in_grid", fields={"building_ids": [message]})


def _check_workers(community, worker_ids):
    """Every worker is a staff account (made by an admin; being a worker gives them the grid
    and nothing else) or a verified resident of the community."""
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


def streets_staffed_by(user, every_for_admin=True):
    """The streets ``user`` is staff of (every street for admins, unless
    ``every_for_admin`` is false), by name."""
    select = sa.select(Street).order_by(Street.name)
    if user.role != "admin" or not every_for_admin:
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


def grids_of(community_ids):
    """The grids of these communities, by name."""
    return db.session.scalars(sa.select(Grid).where(Grid.community_id.in_(community_ids))
                              .order_by(Grid.name)).all()


def grid_members(grid_ids):
    """``({grid_id: building ids}, {grid_id: worker ids})`` of these grids."""
    buildings = {grid_id: set() for grid_id in grid_ids}
    workers = {grid_id: set() for grid_id in grid_ids}
    for building_id, grid_id in db.session.execute(sa.select(
            GridBuilding.building_id, GridBuilding.grid_id)
            .where(GridBuilding.grid_id.in_(grid_ids))):
        buildings[grid_id].add(building_id)
    for user_id, grid_id in db.session.execute(sa.select(GridWorker.user_id, GridWorker.grid_id)
                                               .where(GridWorker.grid_id.in_(grid_ids))):
        workers[grid_id].add(user_id)
    return buildings, workers


def worker_candidates(community_id):
    """Staff accounts a community's grids may take as workers, by name: its own staff, those
    already working in its grids, and staff accounts serving no community or street (the
    accounts an admin makes for grid work)."""
    serving = sa.union(sa.select(StaffMembership.user_id), sa.select(StreetStaff.user_id))
    in_grids = (sa.select(GridWorker.user_id).join(Grid, Grid.id == GridWorker.grid_id)
                .where(Grid.community_id == community_id))
    own = sa.select(StaffMembership.user_id).where(StaffMembership.community_id == community_id)
    return db.session.scalars(sa.select(User).where(User.active.is_(True), sa.or_(
        User.id.in_(own), User.id.in_(in_grids),
        sa.and_(User.role == "staff", User.id.not_in(serving)),
    )).order_by(User.display_name)).all()


def street_staff(street_id):
    """The staff of a street, by name."""
    return db.session.scalars(sa.select(User).join(StreetStaff, StreetStaff.user_id == User.id)
                              .where(StreetStaff.street_id == street_id)
                              .order_by(User.display_name)).all()


def streets_of_communities():
    """``{community_id: street_id}`` of every community in a street."""
    return dict(db.session.execute(sa.select(StreetCommunity.community_id,
                                             StreetCommunity.street_id)).all())


def resident_candidates(community_id, limit=300):
    """Verified residents of a community who may become grid workers, by name."""
    return db.session.scalars(
        sa.select(User).join(Unit, User.unit_id == Unit.id).join(Building)
        .where(Building.community_id == community_id, User.verified_at.is_not(None),
               User.active.is_(True), User.role == "resident")
        .order_by(User.display_name).limit(limit)).all()
