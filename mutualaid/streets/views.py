"""Staff pages to keep the places of appeals: the admin's streets (their communities and
street staff) and a community's grids (their buildings and grid workers). Every form sends
to the API; these pages only show what is there and what may be chosen."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from mutualaid.accounts.domain import require_staff_of, staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community
from mutualaid.streets import domain
from mutualaid.streets.models import Grid

bp = Blueprint("streets", __name__, url_prefix="/staff")


@bp.before_request
@login_required
def staff_only():
    """Every page here is for staff (street staff and grid-work accounts are staff too)."""
    if not current_user.is_staff:
        abort(403)


@bp.get("/streets")
def streets():
    """Admins: every street, with forms to make one and to add communities and street staff.
    Street staff: their streets. Anyone else: an empty page saying who makes streets."""
    admin = current_user.role == "admin"
    rows = domain.streets_staffed_by(current_user)
    communities = db.session.scalars(sa.select(Community).order_by(Community.name)).all()
    street_of = domain.streets_of_communities()
    street_names = {street.id: street.name for street in rows}
    details = [(street, [c for c in communities if street_of.get(c.id) == street.id],
                domain.street_staff(street.id)) for street in rows]
    accounts = _accounts() if admin else []
    return render_template("streets/streets.html", admin=admin, details=details,
                           communities=communities, street_of=street_of,
                           street_names=street_names, accounts=accounts)


def _accounts(limit=500):
    """Who an admin may make street staff: staff accounts first, then the others (a street
    officer may have just signed up), by name."""
    return db.session.scalars(sa.select(User).where(
        User.active.is_(True), User.role != "admin")
        .order_by(User.role != "staff", User.display_name).limit(limit)).all()


def _my_communities():
    """The communities whose grids the viewer keeps (every one, for admins)."""
    select = sa.select(Community).order_by(Community.name)
    if current_user.role != "admin":
        select = select.where(Community.id.in_(staff_community_ids(current_user)))
    return db.session.scalars(select).all()


@bp.get("/grids")
def grids():
    """The grids of my communities, and a form per community to make one."""
    communities = _my_communities()
    grids = domain.grids_of([c.id for c in communities])
    buildings, workers = domain.grid_members([g.id for g in grids])
    building_names = dict(db.session.execute(sa.select(Building.id, Building.name).where(
        Building.community_id.in_([c.id for c in communities]))).all())
    worker_names = dict(db.session.execute(sa.select(User.id, User.display_name).where(
        User.id.in_(set().union(*workers.values())))).all())
    members = {g.id: ("、".join(sorted(building_names[i] for i in buildings[g.id])),
                      "、".join(sorted(worker_names[i] for i in workers[g.id]))) for g in grids}
    return render_template("streets/grids.html", communities=communities, grids=grids,
                           members=members, choices={c.id: _choices(c) for c in communities})


@bp.get("/grids/<id:grid_id>")
def grid(grid_id):
    """One grid to rename, or to give other buildings or workers."""
    grid = get_or_404(Grid, grid_id)
    require_staff_of(current_user, grid.community_id)
    buildings, workers = domain.grid_members([grid.id])
    community = db.session.get(Community, grid.community_id)
    return render_template("streets/grid.html", grid=grid, community=community,
                           choices=_choices(community, grid), chosen_buildings=buildings[grid.id],
                           chosen_workers=workers[grid.id])


def _choices(community, grid=None):
    """What a grid of ``community`` may hold: the buildings in no other grid; as workers, the
    staff accounts and those working in its grids, then its other verified residents."""
    others = [g.id for g in domain.grids_of([community.id]) if grid is None or g.id != grid.id]
    in_other_grids = set().union(*domain.grid_members(others)[0].values())
    buildings = db.session.scalars(sa.select(Building).where(
        Building.community_id == community.id).order_by(Building.name)).all()
    people = domain.worker_candidates(community.id)
    known = {user.id for user in people}
    return {"buildings": [b for b in buildings if b.id not in in_other_grids], "people": people,
            "residents": [u for u in domain.resident_candidates(community.id)
                          if u.id not in known]}
