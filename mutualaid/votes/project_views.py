"""Building-project parts of the vote pages: what the vote page shows around the ballot
(stage, documents, cost share, questions, objections, proxies), the staff tools, the
turnout chart, the printable notice of each stage (and its PDF) and the list of projects with
their time to decision."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mutualaid.accounts.domain import (
    require_staff_of, staff_community_ids, verified_residents_of,
)
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Forbidden
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community, Unit
from mutualaid.streets.domain import streets_staffed_by
from mutualaid.votes import (
    audit, decisions, domain, information, proxies, rules, shares, stages,
)
from mutualaid.votes.chart import turnout_chart
from mutualaid.votes.counting import scope_filter
from mutualaid.votes.models import Ballot, Vote
from mutualaid.votes.notice_pdf import notice_pdf
from mutualaid.votes.project_models import VoteObjection, VoteQuestion
from mutualaid.votes.views import _load, _staff_of, bp


def stage_words():
    """The stages' names and what each means, for the templates."""
    return {
        "pending": (_("Being prepared"), _("The notice is not published yet.")),
        "notice": (_("Notice"), _("The vote and its electorate are published before voting.")),
        "voting": (_("Voting"), _("Owners vote online, at the kiosk, on paper or by proxy.")),
        "objection": (_("Objections"), _("The preliminary result is published; eligible "
                                         "owners may object and staff answer each objection.")),
        "final": (_("Final result"), _("The final result is published with the chain head.")),
    }


def _my_share(user, vote):
    """The user's cost share (cents and rows) where there is a plan and they own units."""
    if vote.cost_plan is None:
        return None
    try:
        mine = shares.my_share(user, vote)
    except Forbidden:
        return None
    return mine


def project_context(vote, user):
    """What the vote page shows of the project around the ballot."""
    now = utcnow()
    stage = stages.stage_at(vote, now)
    context = {
        "stage": stage, "stage_words": stage_words(), "stages": stages.STAGES,
        "electorate": stages.electorate_figures(vote, now),
        "objection_ends_at": stages.objection_ends_at(vote),
        "days_to_decision": stages.days_to_decision(vote),
        "documents": information.documents_of(vote),
        "questions": information.listed(VoteQuestion, vote),
        "objections": information.listed(VoteObjection, vote),
        "plan": vote.cost_plan, "owners_part": shares.owners_part(vote.cost_plan)
        if vote.cost_plan else None, "my_share": _my_share(user, vote),
        "can_ask": user.verified and information.lives_in_scope(user, vote)
        and vote.status_at(now) != "closed",
        "can_object": stage == "objection" and domain.own_voter_key(user, vote) is not None,
        "proxied_for": proxies.proxied_for(user, vote) if vote.status_at(now) == "open" else [],
        "money": shares.format_money, "coefficient": shares.format_coefficient,
    }
    if _staff_of(vote):
        context |= staff_context(vote)
    return context


def staff_context(vote):
    """The staff tools' data: whether the plan may change, owners and proxies, the chart."""
    locked = db.session.scalar(sa.select(Ballot.id).where(Ballot.vote_id == vote.id).limit(1))
    owned_units = db.session.scalars(
        sa.select(Unit).join(Building).where(scope_filter(vote), Unit.owner_id.is_not(None))
        .options(so.contains_eager(Unit.building), so.selectinload(Unit.owner))
        .order_by(Building.name, Unit.number)).all()
    return {"plan_locked": locked is not None, "owned_units": owned_units,
            "proxy_candidates": verified_residents_of(vote.community_id),
            "proxies": proxies.proxies_of(vote), "chart": turnout_chart(vote)}


@bp.get("/<id:vote_id>/print")
@login_required
def print_notice(vote_id):
    """The printable notice (公示) of the vote's stage, made for A4."""
    vote = _load(vote_id)
    return render_template("votes/print.html", **notice_context(vote))


def notice_context(vote):
    """Everything the printable notice shows (the page and its PDF alike)."""
    now = utcnow()
    closed = vote.closed_at is not None
    seq, head = audit.chain_head(vote.id) if closed else (None, None)
    return {
        "vote": vote, "stage": stages.stage_at(vote, now), "stage_words": stage_words(),
        "result": domain.vote_result(vote), "electorate": stages.electorate_figures(vote, now),
        "documents": information.documents_of(vote), "plan": vote.cost_plan,
        "owners_part": shares.owners_part(vote.cost_plan) if vote.cost_plan else None,
        "money": shares.format_money, "objection_ends_at": stages.objection_ends_at(vote),
        "objections": information.listed(VoteObjection, vote),
        "chain_head": head, "ballots_count": seq,
        "days_to_decision": stages.days_to_decision(vote), "printed_at": now,
        "vote_path": f"/votes/{vote.id}",
    }


@bp.get("/<id:vote_id>/notice.pdf")
@login_required
def notice_pdf_file(vote_id):
    """Staff: the printable notice as a PDF to pin up in the lobby."""
    vote = _load(vote_id)
    require_staff_of(current_user, vote.community_id)
    return Response(notice_pdf(notice_context(vote)), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="vote-{vote.id}-notice.pdf"'})


@bp.get("/projects")
@login_required
def projects():
    """Building projects of my communities with their stage and time to decision, and the
    way to my streets' lists."""
    select = domain.visible_votes(current_user).where(Vote.rule != rules.POLL)
    votes = db.session.scalars(select.order_by(Vote.opens_at.desc()).limit(100)).all()
    now = utcnow()
    rows = [(vote, stages.stage_at(vote, now), stages.days_to_decision(vote)) for vote in votes]
    return render_template("votes/projects.html", rows=rows, stage_words=stage_words(),
                           median=decisions.median_days(days for _v, _s, days in rows),
                           staff=bool(staff_community_ids(current_user)),
                           streets=streets_staffed_by(current_user))


@bp.get("/projects/street/<id:street_id>")
@login_required
def street_projects(street_id):
    """Street staff: the building projects of every community of the street, with their time
    to decision, community by community."""
    street, community_ids = decisions.street_scope(current_user, street_id)
    page = db.paginate(decisions.projects_select(community_ids), per_page=20, max_per_page=20)
    now = utcnow()
    rows = [(vote, stages.stage_at(vote, now), stages.days_to_decision(vote))
            for vote in page.items]
    communities = db.session.scalars(sa.select(Community).where(
        Community.id.in_(community_ids)).order_by(Community.name)).all()
    return render_template("votes/street_projects.html", street=street, page=page, rows=rows,
                           stage_words=stage_words(), summary=decisions.summary(community_ids),
                           communities=communities,
                           openable=decisions.openable_ids(current_user, page.items))
