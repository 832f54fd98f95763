"""Account pages: sign in, register, sign out, my profile, the staff verification queue."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError

from mutualaid.accounts import domain, self_service
from mutualaid.accounts.models import RELATIONS, User
from mutualaid.accounts.schemas import CredentialsSchema, RegisterSchema, ResetSchema
from mutualaid.core.errors import DomainError
from mutualaid.core.extensions import db, limiter
from mutualaid.places.models import Building, Community, Unit
from mutualaid.core.messages import translate_all
from mutualaid.core.routing import is_local_path

bp = Blueprint("accounts", __name__)
credentials_form = CredentialsSchema()
register_form = RegisterSchema()
reset_form = ResetSchema()
AUTH_LIMIT = "20/minute"
RESET_LIMIT = "10/minute"  # as the API's: guessing codes stays slow


def _safe_next(target):
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if is_local_path(target) and not urlsplit(target).netloc:
        return target
    return url_for("shell.home")


def _start_session(user):
    """Sign in with a fresh session (no fixation), keeping only the language choice."""
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    """Sign in with username and password."""
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            data = credentials_form.load({k: form.get(k, "") for k in ("username", "password")})
            user = domain.authenticate(data["username"], data["password"])
        except ValidationError as error:
            errors = translate_all(error.messages)
        except DomainError:
            errors = {"_form": [_("Wrong username or password.")]}
        else:
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if errors else 200
    return render_template("accounts/login.html", errors=errors, form=form), status


def _submit(action):
    """Run a form's ``action`` and commit; ``(its result, {})``, or ``(None, the page's field
    errors)`` when its input or a domain rule refuses it (nothing is committed then)."""
    try:
        result = action()
    except ValidationError as error:
        return None, translate_all(error.messages)
    except DomainError as error:
        return None, error.fields or {"_form": [error.message]}
    db.session.commit()
    return result, {}


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def register():
    """Create an account; staff verify it at the share hut afterwards."""
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form.to_dict()
        fields = ("username", "password", "display_name", "phone")
        payload = {k: form.get(k, "") for k in fields}
        payload["phone"] = payload["phone"].strip() or None
        user, errors = _submit(lambda: domain.register_user(**register_form.load(payload)))
        if not errors:
            _start_session(user)
            return redirect(url_for("accounts.me"))
    status = 400 if errors else 200
    return render_template("accounts/register.html", errors=errors, form=form), status


@bp.post("/logout")
def logout():
    """Sign out, forget the session, and end it on the server too (the cookie is useless)."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("shell.home"))


@bp.get("/me")
@login_required
def me():
    """My profile: verification status, kiosk PIN, language."""
    return render_template("accounts/me.html")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def reset():
    """Set a new password with a one-time code that staff gave in person (the page's script
    sends it to the API; this POST is for a phone whose script has not loaded yet)."""
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form.to_dict()
        _user, errors = _submit(lambda: _reset(form))
        if not errors:
            return redirect(url_for("accounts.login", reset="done"))
    status = 400 if errors else 200
    return render_template("accounts/reset.html", errors=errors, form=form), status


def _reset(form):
    """The reset form's fields checked as the API checks them, then the new password set."""
    data = reset_form.load({k: form.get(k, "") for k in ("username", "code", "new_password")})
    self_service.reset_password(data["username"], data["code"], data["new_password"])


@bp.get("/staff/verify")
@login_required
def verification_queue():
    """Staff: residents waiting to be verified, and a form to verify each into a unit."""
    if not current_user.is_staff:
        return render_template("error.html", status=403,
                               message=_("Only staff may do this.")), 403
    query = request.args.get("q", "")[:50]
    select = sa.select(User).where(User.role == "resident", User.verified_at.is_(None))
    if query:
        select = select.where(sa.or_(User.username.ilike(f"%{query}%"),
                                     User.display_name.ilike(f"%{query}%")))
    page = db.paginate(select.order_by(User.id.desc()), per_page=20, max_per_page=20)
    buildings = _staff_buildings(current_user)
    return render_template("accounts/verify.html", page=page, q=query, buildings=buildings,
                           relations=RELATIONS)


def _staff_buildings(user):
    """The buildings (with units) a staff member can verify people into."""
    select = sa.select(Building).join(Community).order_by(Community.name, Building.name)
    if user.role != "admin":
        select = select.where(Building.community_id.in_(domain.staff_community_ids(user)))
    buildings = db.session.scalars(select).all()
    units = db.session.scalars(sa.select(Unit).where(
        Unit.building_id.in_([b.id for b in buildings])).order_by(Unit.floor, Unit.number)).all()
    by_building = {b.id: [] for b in buildings}
    for unit in units:
        by_building[unit.building_id].append(unit)
    return [(building, by_building[building.id]) for building in buildings]


def waiting_for_verification(user):
    """Staff desk: how many newcomers wait to be verified (the queue is shared, see
    ``domain.residents_for``)."""
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.role == "resident", User.verified_at.is_(None), User.active))
