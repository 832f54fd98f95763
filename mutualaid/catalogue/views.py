"""Catalogue pages for phones: browse by category, a service with its sessions, my bookings;
for staff: publish services and sessions, see who booked, mark attendance."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from mutualaid.catalogue import domain
from mutualaid.catalogue.labels import AUDIENCE_NAMES, CATEGORY_NAMES
from mutualaid.catalogue.models import AUDIENCES, CATEGORIES, Service, ServiceSession
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db

bp = Blueprint("catalogue", __name__, url_prefix="/services")


@bp.app_context_processor
def catalogue_names():
    """Category and audience names for every template (the kiosk shows sessions too)."""
    return {"category_names": CATEGORY_NAMES, "audience_names": AUDIENCE_NAMES}


@bp.before_request
@login_required
def signed_in():
    """Every catalogue page needs a signed-in user."""


@bp.get("/")
def index():
    """Services by category, with a filter by category and audience."""
    category = request.args.get("category") if request.args.get("category") in CATEGORIES else None
    audience = request.args.get("audience") if request.args.get("audience") in AUDIENCES else None
    services = db.session.scalars(domain.services_for(current_user, category, audience)).all()
    return render_template("catalogue/index.html", services=services, category=category,
                           audience=audience, categories=CATEGORIES, audiences=AUDIENCES,
                           sessions={s.id: domain.upcoming_sessions(s, 3) for s in services})


@bp.get("/<id:service_id>")
def service(service_id):
    """A service with its upcoming sessions, seats left and my bookings of them."""
    service = get_or_404(Service, service_id)
    sessions = domain.upcoming_sessions(service, 50)
    mine = {booking.session_id: booking
            for booking in db.session.scalars(domain.bookings_of(current_user))}
    return render_template("catalogue/service.html", service=service, sessions=sessions,
                           mine=mine)


@bp.get("/mine")
def mine():
    """My upcoming bookings, with a cancel button each."""
    bookings = db.session.scalars(domain.bookings_of(current_user)).all()
    return render_template("catalogue/mine.html", bookings=bookings)


@bp.get("/staff")
def staff():
    """Staff: publish, edit and withdraw services, add sessions; each session links to its
    bookings. Withdrawn services are listed too, to be offered again."""
    if not current_user.is_staff:
        abort(403)
    select = domain.services_for(current_user, include_withdrawn=True)
    services = db.session.scalars(select).all()
    return render_template("catalogue/staff.html", services=services, categories=CATEGORIES,
                           audiences=AUDIENCES,
                           sessions={s.id: domain.upcoming_sessions(s, 20) for s in services},
                           communities=_my_communities())


@bp.get("/sessions/<id:session_id>/bookings")
def bookings(session_id):
    """Staff: who booked a session, with attendance buttons."""
    session = get_or_404(ServiceSession, session_id)
    bookings = domain.session_bookings(current_user, session)
    return render_template("catalogue/bookings.html", session=session, bookings=bookings)


def _my_communities():
    """Communities the staff member may publish in."""
    import sqlalchemy as sa

    from mutualaid.accounts.domain import staff_community_ids
    from mutualaid.places.models import Community

    select = sa.select(Community).order_by(Community.name)
    if current_user.role != "admin":
        select = select.where(Community.id.in_(staff_community_ids(current_user)))
    return db.session.scalars(select).all()
