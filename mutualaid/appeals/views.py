"""Appeal pages: file one (with photos, similar appeals shown as one types), my and my
community's appeals, one appeal with its timeline and the steps the viewer may take, the
staff queue with the time limits, and the open boards; and the ``escalate-appeals`` command."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user, login_required

from mutualaid.accounts.domain import residents_for
from mutualaid.appeals import access, checks, domain, limits
from mutualaid.appeals.board import board
from mutualaid.appeals.categories import CODES, category_name
from mutualaid.appeals.charts import bars
from mutualaid.appeals.cli import escalate_appeals
from mutualaid.appeals.models import OPEN_STATUSES, RATINGS, Appeal
from mutualaid.appeals.schemas import BoardQuerySchema, photo_url
from mutualaid.api import load
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community
from mutualaid.streets import domain as streets

bp = Blueprint("appeals", __name__, url_prefix="/appeals", cli_group=None)
bp.cli.add_command(escalate_appeals)
RATING_NAMES = {"satisfied": lazy_gettext("Satisfied"),
                "basically_satisfied": lazy_gettext("Basically satisfied"),
                "unsatisfied": lazy_gettext("Not satisfied")}
EVENT_NAMES = {
    "filed": lazy_gettext("Reported"), "accepted": lazy_gettext("Accepted"),
    "started": lazy_gettext("Work started"), "resolved": lazy_gettext("Resolved"),
    "rejected": lazy_gettext("Not taken on"), "merged": lazy_gettext("Merged"),
    "escalated": lazy_gettext("Sent up a level"), "rated": lazy_gettext("Rated"),
    "reopened": lazy_gettext("Reopened"), "closed": lazy_gettext("Closed"),
    "overdue": lazy_gettext("Overdue"),
}
BOARD_QUERY = BoardQuerySchema()


@bp.app_context_processor
def appeal_context():
    """Names templates need to show appeals."""
    locale = get_locale()
    return {"appeal_status_names": domain.STATUS_NAMES, "level_names": domain.LEVEL_NAMES,
            "category_label": lambda code: category_name(code, locale),
            "rating_names": RATING_NAMES, "event_names": EVENT_NAMES}


def home_section(user):
    """The home page's appeals: my open ones and where to report or read the board."""
    scope = access.Scope(user)
    mine = db.session.scalars(access.visible_appeals(user, mine=True).where(
        Appeal.status.in_(OPEN_STATUSES + ("resolved",))).limit(5)).all()
    return {"mine": mine, "community_id": scope.home}




@bp.get("/")
@login_required
def index():
    """My appeals and the public appeals of my community."""
    checks.check_on_read()
    mine = db.session.scalars(access.visible_appeals(current_user, mine=True).limit(50)).all()
    home = access.Scope(current_user).home
    public = []
    if home is not None:
        public = db.session.scalars(access.visible_appeals(current_user).where(
            Appeal.community_id == home, Appeal.public.is_(True),
            Appeal.appellant_id != current_user.id).limit(30)).all()
    return render_template("appeals/index.html", mine=mine, public=public, community_id=home)


@bp.get("/new")
@login_required
def new():
    """File an appeal: category, what and where, photos, public or anonymous."""
    scope = access.Scope(current_user)
    community_ids = {scope.home} - {None} if not current_user.is_staff else (
        scope.staff_of | ({scope.home} - {None}))
    buildings = db.session.scalars(sa.select(Building).where(
        Building.community_id.in_(community_ids)).order_by(Building.name)).all()
    residents = []
    if current_user.is_staff:
        residents = db.session.scalars(residents_for(current_user).where(
            sa.literal_column("users.unit_id").is_not(None)).limit(200)).all()
    home_building = current_user.unit.building_id if current_user.unit else None
    return render_template("appeals/new.html", categories=CODES, buildings=buildings,
                           residents=residents, home_building=home_building)


@bp.get("/<id:appeal_id>")
@login_required
def detail(appeal_id):
    """One appeal: what, where, its timeline, photos for those allowed, and the steps."""
    checks.check_on_read()
    appeal = access.get_visible(current_user, appeal_id)
    scope = access.Scope(current_user)
    full = scope.handles(appeal) or appeal.appellant_id == current_user.id
    return render_template(
        "appeals/detail.html", appeal=appeal, events=domain.events_of(appeal),
        building=db.session.get(Building, appeal.building_id),
        actions=domain.allowed_actions(current_user, appeal), handles=scope.handles(appeal),
        named=scope.sees_name(appeal), photos=[photo_url(p) for p in appeal.photos] if full
        else [], following=current_user.id in domain.follower_ids(appeal),
        ratings=RATINGS)


@bp.get("/staff")
@login_required
def staff():
    """Staff and grid workers: the open appeals at my levels, the nearest due first."""
    scope = access.Scope(current_user)
    if not (current_user.is_staff or scope.grids):
        abort(403)
    checks.check_on_read()
    select = access.visible_appeals(current_user).where(Appeal.status.in_(OPEN_STATUSES))
    open_appeals = db.session.scalars(select.limit(300)).all()
    mine = sorted((a for a in open_appeals if scope.acts_at(a)),
                  key=lambda a: (a.due_at is None, a.due_at or a.created_at))
    communities = db.session.scalars(sa.select(Community).where(
        Community.id.in_(scope.staff_of)).order_by(Community.name)).all()
    # the street limits shown are those of the viewer's own streets, an admin's too
    my_streets = streets.streets_staffed_by(current_user, every_for_admin=False)
    return render_template("appeals/staff.html", appeals=mine[:100], communities=communities,
                           limits={c.id: limits.as_dict(limits.limits_for(c.id))
                                   for c in communities},
                           streets=my_streets, street_limits={
                               s.id: _street_limits(s.id) for s in my_streets})


def _street_limits(street_id):
    """The street level's limits as its communities have them (all alike: they are set for
    the whole street), the defaults for a street without communities."""
    community_ids = sorted(streets.street_community_ids(street_id))
    levels = limits.limits_for(community_ids[0]) if community_ids else limits.DEFAULTS
    return limits.as_dict(levels)["street"]


def _board_page(community_ids, title, rank_by, endpoint, **ident):
    """A board page for ``community_ids`` over the period in the query string."""
    args = load(BOARD_QUERY, {k: v for k, v in request.args.items() if k in ("from", "to")})
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    checks.check_on_read()
    result = board(community_ids, args["from_"], args["to"], page, 20, rank_by=rank_by)
    chart = bars([(category_name(code), figures["received"], figures["resolved"])
                  for code, figures in result["by_category"].items()])
    return render_template("appeals/board.html", board=result, title=title, chart=chart,
                           endpoint=endpoint, ident=ident, rank_by=rank_by)


@bp.get("/board/community/<id:community_id>")
def community_board(community_id):
    """The open board of a community (anyone may read it)."""
    community = db.session.get(Community, community_id) or abort(404)
    return _board_page({community.id}, community.name, "grid", "appeals.community_board",
                       community_id=community.id)


@bp.get("/board/street/<id:street_id>")
def street_board(street_id):
    """The open board of a street (anyone may read it)."""
    street = streets.get_street(street_id)
    return _board_page(streets.street_community_ids(street.id), street.name, "community",
                       "appeals.street_board", street_id=street.id)
