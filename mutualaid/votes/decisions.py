"""Time to decision across building projects: "two years, then five months, then two
months" is measured here, over a staff member's communities or a whole street's.

A building project is any vote but a poll; its time to decision runs from its notice (or
its opening) to its final result (``stages.days_to_decision``).
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.core.errors import Forbidden
from mutualaid.core.extensions import db
from mutualaid.streets import domain as streets
from mutualaid.votes import domain, rules, stages
from mutualaid.votes.models import Vote


def projects_select(community_ids):
    """The building projects of these communities, the latest notice first."""
    started = sa.func.coalesce(Vote.notice_at, Vote.opens_at)
    return (sa.select(Vote).where(Vote.community_id.in_(community_ids), Vote.rule != rules.POLL)
            .order_by(started.desc(), Vote.id.desc()))


def median_days(days):
    """The median of whole days (the upper one of an even count), or None without any."""
    decided = sorted(d for d in days if d is not None)
    return decided[len(decided) // 2] if decided else None


def summary(community_ids):
    """``{community_id: {"projects", "decided", "median_days"}}`` and the same for them all
    under ``None``, from the dates alone (a street may hold thousands of projects)."""
    rows = db.session.execute(
        projects_select(community_ids).order_by(None)
        .with_only_columns(Vote.community_id, Vote.notice_at, Vote.opens_at, Vote.final_at)).all()
    groups = {None: []}
    for row in rows:
        days = stages.days_to_decision(row)
        groups[None].append(days)
        groups.setdefault(row.community_id, []).append(days)
    return {key: {"projects": len(days), "decided": sum(d is not None for d in days),
                  "median_days": median_days(days)} for key, days in groups.items()}


def street_scope(actor, street_id):
    """``(street, its community ids)`` for listing its projects: its staff and admins only;
    raises NotFound (no such street), Forbidden."""
    street = streets.get_street(street_id)
    if not streets.is_street_staff_of(actor, street.id):
        raise Forbidden(_("Only the street's staff may see this."))
    return street, streets.street_community_ids(street.id)


def openable_ids(actor, votes):
    """Which of ``votes`` ``actor`` may open (street staff list projects they cannot open)."""
    ids = [vote.id for vote in votes]
    return set(db.session.scalars(domain.visible_votes(actor).where(Vote.id.in_(ids))
                                  .with_only_columns(Vote.id)))
