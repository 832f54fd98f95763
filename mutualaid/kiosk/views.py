"""The kiosk screen (a lobby tablet) and the staff page that issues and revokes kiosks."""
import io
from datetime import datetime

import segno
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_datetime, get_locale
from flask_login import current_user, login_required

from mutualaid.core.extensions import db
from mutualaid.kiosk import domain
from mutualaid.kiosk.board import board_for, open_vote
from mutualaid.matching.tags import TAXONOMY, tag_name
from mutualaid.places.models import Building

bp = Blueprint("kiosk", __name__)
IDLE_SECONDS = 60


@bp.get("/kiosk/<token>")
def screen(token):
    """The full-screen kiosk: live board and big-button flows; 404 for an unknown token."""
    kiosk = domain.kiosk_for(token)
    if kiosk is None:
        abort(404)
    locale = str(get_locale())
    tags = [(code, tag_name(code, locale)) for code in TAXONOMY]
    # The board comes with the page (kiosk.js keeps it fresh): nothing shifts when it loads.
    board = board_for(kiosk)
    for session in board["sessions"]:
        session["when"] = format_datetime(datetime.fromisoformat(session["starts_at"]), "short")
    from mutualaid.appeals.categories import CODES, category_name

    return render_template("kiosk/screen.html", kiosk=kiosk, token=token, tags=tags,
                           idle_seconds=IDLE_SECONDS, board=board,
                           appeal_categories=[(c, category_name(c, locale)) for c in CODES])


@bp.get("/kiosk/<token>/votes/<id:vote_id>/turnout")
def turnout(token, vote_id):
    """The turnout chart of one of the kiosk's open votes, drawn as on the staff page, for the
    screen to put beside the proposal (and redraw as ballots come in); 404 otherwise."""
    from mutualaid.votes.chart import turnout_chart

    kiosk = domain.kiosk_for(token)
    vote = open_vote(kiosk, vote_id) if kiosk is not None else None
    chart = turnout_chart(vote) if vote is not None else None
    if chart is None:
        abort(404)
    return render_template("votes/turnout_chart.html", chart=chart), {"Cache-Control": "no-store"}


@bp.get("/qr.svg")
def qr():
    """A QR code (SVG, drawn on the server) for a path of this site, e.g. ``?path=/services/3``."""
    path = request.args.get("path", "/")
    if not path.startswith("/") or path.startswith("//") or len(path) > 200:
        abort(400)
    buffer = io.BytesIO()
    segno.make(request.host_url.rstrip("/") + path, error="m").save(
        buffer, kind="svg", scale=6, border=2, dark="#000", light="#fff")
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/staff/kiosks")
@login_required
def manage():
    """Staff: the kiosks of my communities, issue and revoke."""
    if not current_user.is_staff:
        abort(403)
    kiosks = db.session.scalars(domain.kiosks_for(current_user)).all()
    buildings = _my_buildings()
    return render_template("kiosk/manage.html", kiosks=kiosks, buildings=buildings)


def _my_buildings():
    """The buildings staff may put a kiosk in."""
    import sqlalchemy as sa

    from mutualaid.accounts.domain import staff_community_ids

    select = sa.select(Building).order_by(Building.community_id, Building.name)
    if current_user.role != "admin":
        select = select.where(Building.community_id.in_(staff_community_ids(current_user)))
    return db.session.scalars(select).all()

