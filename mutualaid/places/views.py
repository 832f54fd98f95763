"""Staff pages for communities, buildings, units and owners of record."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from mutualaid.accounts.domain import require_staff_of, staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community, Unit

bp = Blueprint("places", __name__, url_prefix="/staff")
STAFF_LINKS = []  # (endpoint, label) of the staff tools, filled by mutualaid/features.py
STAFF_COUNTS = []  # (endpoint, label, function(user) -> int): what waits for staff, at a
# glance; filled by mutualaid/features.py


@bp.before_request
@login_required
def staff_only():
    """Every page here is for staff."""
    if not current_user.is_staff:
        abort(403)


@bp.get("/")
def staff_home():
    """Staff home: my communities and the tools features add."""
    select = sa.select(Community).order_by(Community.name)
    if current_user.role != "admin":
        select = select.where(Community.id.in_(staff_community_ids(current_user)))
    counts = [(endpoint, label, count(current_user)) for endpoint, label, count in STAFF_COUNTS]
    return render_template("places/staff_home.html", communities=db.session.scalars(select).all(),
                           links=STAFF_LINKS, counts=counts)


@bp.get("/communities/<id:community_id>")
def community(community_id):
    """A community's buildings, and a form to add one."""
    community = get_or_404(Community, community_id)
    require_staff_of(current_user, community.id)
    buildings = db.session.scalars(sa.select(Building).where(
        Building.community_id == community.id).order_by(Building.name)).all()
    return render_template("places/community.html", community=community, buildings=buildings)


@bp.get("/buildings/<id:building_id>")
def building(building_id):
    """A building's units with their owners of record; forms to add units and set owners."""
    building = get_or_404(Building, building_id)
    require_staff_of(current_user, building.community_id)
    units = db.session.scalars(sa.select(Unit).where(Unit.building_id == building.id)
                               .order_by(Unit.floor, Unit.number)).all()
    residents = db.session.scalars(
        sa.select(User).join(Unit, User.unit_id == Unit.id).join(Building)
        .where(Building.community_id == building.community_id).order_by(User.display_name)
    ).all()
    return render_template("places/building.html", building=building, units=units,
                           residents=residents)
