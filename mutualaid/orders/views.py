"""Order pages: post a need, my orders, the community board, the order page with its
timeline and actions, time credits on "me", and staff lists of reports and visits."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user, login_required

from mutualaid.accounts.domain import staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.matching.tags import TAXONOMY, tag_name
from mutualaid.orders import access, credits, domain, expiry, reports, texts
from mutualaid.orders.domain import STATUS_NAMES
from mutualaid.orders.matches import suggestions_for
from mutualaid.orders.cli import expire_orders
from mutualaid.orders.models import URGENCIES, Order
from mutualaid.orders.schemas import contact_of, helper_contact_of
from mutualaid.places.models import Building, Unit

bp = Blueprint("orders", __name__, cli_group=None)
bp.cli.add_command(expire_orders)

URGENCY_NAMES = {"low": lazy_gettext("Whenever"), "normal": lazy_gettext("Soon"),
                 "high": lazy_gettext("Urgent")}
ACTIVE = ("open", "accepted", "in_progress", "completed")
BOARD_SIZE = 10
ORDER_SECTIONS = []  # (template, function(user, order) -> data or None); filled by features.py


@bp.app_context_processor
def order_context():
    """Names templates need to show orders."""
    locale = str(get_locale())
    return {"status_names": STATUS_NAMES, "urgency_names": URGENCY_NAMES,
            "tag_label": lambda code: tag_name(code, locale) if code in TAXONOMY else code,
            "system_text": lambda text: texts.shown(text, locale)}


def _my_orders(user, statuses=ACTIVE, limit=20):
    """Orders I asked for or help with, newest first, apart: ``{"asked": [...], "helping":
    [...]}``."""
    select = access.visible_orders(user, mine=True)
    if statuses:
        select = select.where(Order.status.in_(statuses))
    orders = db.session.scalars(select.limit(limit)).all()
    helping = [order for order in orders if order.helper_id == user.id]
    return {"asked": [order for order in orders if order.helper_id != user.id],
            "helping": helping}


def _board(user):
    """The community's open orders, newest first (the live board)."""
    community_id = access.home_community_id(user)
    if community_id is None:
        return None
    select = access.visible_orders(user, status="open").where(
        Order.community_id == community_id, Order.hidden.is_(False))
    return {"community_id": community_id,
            "orders": db.session.scalars(select.limit(BOARD_SIZE)).all()}


def _suggested(user, limit=5):
    """Open orders of my community that fit my skills and offers, best first."""
    return suggestions_for(user, limit=limit) if user.verified else []


@bp.get("/orders")
@login_required
def index():
    """My orders (asked and helping) and the community board."""
    _expire_due()
    return render_template("orders/index.html", mine=_my_orders(current_user, None, 50),
                           suggested=_suggested(current_user, 20), board=_board(current_user))


@bp.get("/orders/new")
@login_required
def new():
    """Post a need: title, tags as chips, urgency, optional time window (staff: for whom)."""
    return render_template("orders/new.html", tags=_tag_choices(), urgencies=URGENCIES,
                           residents=_residents_for(current_user))


@bp.get("/orders/<id:order_id>")
@login_required
def detail(order_id):
    """One order: what, who, where (for its parties), the timeline and the allowed actions."""
    _expire_due()
    order = access.get_visible(current_user, order_id)
    # The requester knows their own address: what they need is how to reach the helper.
    own = current_user.id == order.requester_id
    contact = contact_of(order) if access.sees_contact(current_user, order) and not own else None
    helper_contact = (helper_contact_of(order) if access.sees_helper_contact(current_user, order)
                      else None)
    sections = [(template, data) for template, section in ORDER_SECTIONS
                if (data := section(current_user, order)) is not None]
    return render_template(
        "orders/detail.html", order=order, contact=contact, helper_contact=helper_contact,
        events=domain.events_of(order),
        actions=domain.allowed_actions(current_user, order),
        staff=access.is_staff_for(current_user, order), sections=sections,
    )


@bp.get("/staff/reports")
@login_required
def staff_reports():
    """Staff: open reports of orders in my communities."""
    _staff_only()
    page = db.paginate(reports.reports_select(current_user), per_page=20, max_per_page=20)
    return render_template("orders/reports.html", page=page,
                           reported_message=reports.reported_message)


@bp.get("/staff/visits")
@login_required
def staff_visits():
    """Staff: visits to vulnerable residents that are accepted, under way or unconfirmed."""
    _staff_only()
    page = db.paginate(reports.visits_select(current_user), per_page=20, max_per_page=20)
    return render_template("orders/visits.html", page=page, contact_of=contact_of)


def _staff_only():
    """Pages for staff only."""
    if not current_user.is_staff:
        abort(403)


def _expire_due():
    """Expire overdue open orders lazily, as the API does."""
    expiry.expire_due_on_read()


def _tag_choices():
    """(code, name, is a child) for the chips, in taxonomy order."""
    locale = str(get_locale())
    return [(code, tag_name(code, locale), "." in code) for code in TAXONOMY]


def _residents_for(user):
    """Verified residents a staff member may post for, by building and unit."""
    if not user.is_staff:
        return []
    select = (sa.select(User).join(Unit, User.unit_id == Unit.id).join(Building)
              .where(User.verified_at.is_not(None))
              .order_by(Building.name, Unit.number, User.display_name))
    if user.role != "admin":
        select = select.where(Building.community_id.in_(staff_community_ids(user)))
    return db.session.scalars(select).all()


def _me_credits(user):
    """My balance, recent credits and my community's thank-you board."""
    entries = db.session.scalars(credits.ledger_select(user.id).limit(10)).all()
    community_id = access.home_community_id(user)
    return {"balance": credits.balance_minutes(user.id), "entries": entries,
            "thanks": credits.thanks_board(community_id) if community_id else None}


def home_sections(user):
    """The home page's order sections."""
    return {"mine": _my_orders(user), "suggested": _suggested(user), "board": _board(user)}


@bp.app_context_processor
def me_context():
    """The "me" page's credits section reads this."""
    if request.endpoint != "accounts.me" or not current_user.is_authenticated:
        return {}
    return {"order_credits": _me_credits(current_user)}



def open_report_count(user):
    """Staff desk: how many reports in my communities wait for a decision."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        reports.reports_select(user).order_by(None).subquery()))
