"""The "skills and offers" page: what I can do, my standing offers, my neighbours' offers."""
from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from mutualaid.core.extensions import db
from mutualaid.matching import domain, tags
from mutualaid.matching.models import DAYS, PARTS

bp = Blueprint("matching", __name__)
RADIUS_CHOICES = (300, 500, 1000, 2000, 3000, 5000, 10000)


def tag_choices():
    """(code, name, is_child) of every tag, named in the current language."""
    locale = get_locale()
    return [(code, tags.tag_name(code, locale), tags.parent_of(code) is not None)
            for code in tags.TAXONOMY]


@bp.get("/skills")
@login_required
def skills():
    """My skills and radius, my offers, and my neighbours' offers (``?tag=&page=``)."""
    tag = request.args.get("tag")
    tag = tag if tag in tags.TAXONOMY else None
    page = request.args.get("page", 1, type=int)
    neighbours = db.paginate(domain.offers_select(current_user, tag), page=max(1, min(page, 10_000)),
                             per_page=20, error_out=False)
    mine = db.session.scalars(domain.offers_select(current_user, mine=True)).all()
    return render_template(
        "matching/skills.html", skills=domain.skills_of(current_user), tag_choices=tag_choices(),
        names=dict((code, name) for code, name, _child in tag_choices()), mine=mine,
        neighbours=neighbours, tag=tag, radius_choices=RADIUS_CHOICES, days=DAYS,
        parts=list(PARTS),
    )
