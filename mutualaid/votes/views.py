"""Vote pages: list, vote with live turnout, result, public notice; staff tools.

Importing this module also registers the tab, the home section, the staff link, the
``vote:<id>`` room check and the vote CLI commands.
"""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required

from mutualaid.accounts.domain import require_staff_of, staff_community_ids
from mutualaid.core.database import get_or_404, utcnow
from mutualaid.core.errors import NotFound
from mutualaid.core.extensions import db, limiter
from mutualaid.places.areas import parse_area
from mutualaid.places.models import Building, Community
from mutualaid.realtime.rooms import room_check
from mutualaid.votes import domain, rules
from mutualaid.votes.cli import COMMANDS
from mutualaid.votes.models import Vote

RECEIPT_LIMIT = "60/minute"  # as GET /votes/{id}/receipts/{code}: codes are not to be guessed

bp = Blueprint("votes", __name__, url_prefix="/votes", cli_group=None)
for _command in COMMANDS:
    bp.cli.add_command(_command)

def open_vote_count(user):
    """Staff desk: how many votes I can see are open now."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        domain.filter_status(domain.visible_votes(user), "open").order_by(None).subquery()))



@room_check("vote")
def _vote_room(user, vote_id):
    """Residents and owners in the vote's scope, its community's staff, admins."""
    vote = db.session.get(Vote, vote_id)
    return vote is not None and domain.can_see(user, vote)


def open_votes_for(user):
    """Home section: the open votes this user may vote in, with whether they have voted."""
    select = domain.filter_status(domain.visible_votes(user), "open").order_by(Vote.closes_at)
    votes = [v for v in db.session.scalars(select.limit(20)) if domain.own_voter_key(user, v)]
    return [(vote, domain.my_ballot(user, vote)) for vote in votes]



@bp.app_context_processor
def vote_words():
    """Translated names of rules, choices, channels and statuses for the vote templates."""
    return {"vote_words": {
        "rule": {"major": _("Major matter (3/4)"), "ordinary": _("Ordinary matter (over 1/2)"),
                 "poll": _("Residents' poll")},
        "rule_help": {
            "major": _("Raising maintenance funds, rebuilding, changing the use of common parts: "
                       "needs 2/3 of owners and area taking part, and yes from 3/4 of both."),
            "ordinary": _("Other matters, including using maintenance funds: needs 2/3 of owners "
                          "and area taking part, and yes from more than half of both."),
            "poll": _("Every verified resident votes once; passes with yes from more than half "
                      "of the ballots. Advisory, not a decision of the owners."),
        },
        "choice": {"yes": pgettext("vote choice", "Yes"), "no": pgettext("vote choice", "No"),
                   "abstain": pgettext("vote choice", "Abstain")},
        "channel": {"online": _("online"), "kiosk": _("at the kiosk"), "paper": _("on paper"),
                    "proxy": _("by proxy")},
        "status": {"scheduled": _("Scheduled"), "open": pgettext("vote status", "Open"),
                   "closed": _("Closed")},
    }}


def _load(vote_id):
    """A vote the current user may see, brought up to date with the clock."""
    vote = get_or_404(Vote, vote_id)
    domain.require_visible(current_user, vote)
    if domain.refresh_vote(vote):
        db.session.commit()
    return vote


def _staff_of(vote):
    """True when the current user may run this vote."""
    return current_user.role == "admin" or vote.community_id in staff_community_ids(current_user)


def _reaches(rule, part, whole):
    """Whether ``part`` reaches the rule's line of ``whole`` (exact, as in rules.py)."""
    if whole <= 0:
        return False
    if rule == "two-thirds":
        return 3 * part >= 2 * whole
    if rule == "three-quarters":
        return 4 * part >= 3 * whole
    return 2 * part > whole


def bars(result):
    """The progress bars of a result dict: participation against 2/3, yes against the rule."""
    rule = result["rule"]
    approval = {"major": ("three-quarters", _("yes from 3/4 of those taking part")),
                "ordinary": ("half", _("yes from more than 1/2 of those taking part")),
                "poll": ("half", _("yes from more than 1/2 of the ballots"))}[rule]
    kinds = [("headcount", _("people"))] if rule == rules.POLL else [
        ("area", _("m²")), ("headcount", _("owners"))]
    items = []
    for kind, unit in kinds:
        def value(weight, kind=kind):
            return parse_area(weight["area_m2"]) if kind == "area" else weight["headcount"]

        def shown(weight, kind=kind):
            return weight["area_m2"] if kind == "area" else str(weight["headcount"])

        eligible, taking_part = value(result["eligible"]), value(result["participating"])
        yes = value(result["tally"]["yes"])
        items.append({
            "id": f"participating-{kind}", "value": taking_part, "max": max(eligible, 1),
            "label": _("Taking part (%(unit)s)", unit=unit),
            "text": f"{shown(result['participating'])} / {shown(result['eligible'])}",
            "line": None if rule == rules.POLL else "two-thirds",
            "line_text": None if rule == rules.POLL else _("Quorum line: 2/3 of the eligible"),
            "reached": _reaches("two-thirds", taking_part, eligible),
        })
        items.append({
            "id": f"yes-{kind}", "value": yes, "max": max(taking_part, 1),
            "label": _("Yes (%(unit)s)", unit=unit),
            "text": f"{shown(result['tally']['yes'])} / {shown(result['participating'])}",
            "line": approval[0], "line_text": _("Approval line: %(line)s", line=approval[1]),
            "reached": _reaches(approval[0], yes, taking_part),
        })
    return items


@bp.get("/")
@login_required
def index():
    """The votes in my scope: open first, then scheduled, then closed."""
    if domain.refresh_due_votes():
        db.session.commit()
    groups = []
    for status, title in (("open", _("Open votes")), ("scheduled", _("Coming up")),
                          ("closed", _("Closed votes"))):
        select = domain.filter_status(domain.visible_votes(current_user), status)
        votes = db.session.scalars(select.order_by(Vote.opens_at.desc()).limit(50)).all()
        groups.append((status, title, votes))
    return render_template("votes/index.html", groups=groups)


@bp.get("/new")
@login_required
def new():
    """Staff: the form to open a vote."""
    if not current_user.is_staff:
        abort(403)
    select = sa.select(Community).order_by(Community.name)
    if current_user.role != "admin":
        select = select.where(Community.id.in_(staff_community_ids(current_user)))
    communities = db.session.scalars(select).all()
    buildings = db.session.scalars(sa.select(Building).where(
        Building.community_id.in_([c.id for c in communities])).order_by(Building.name)).all()
    return render_template("votes/new.html", communities=communities, buildings=buildings,
                           rules=rules.RULES)


@bp.get("/<id:vote_id>")
@login_required
def show(vote_id):
    """A vote: the proposal, live turnout bars, my ballot and receipt, the ballot form."""
    vote = _load(vote_id)
    result = domain.vote_result(vote)
    from mutualaid.votes.project_views import project_context

    return render_template(
        "votes/show.html", vote=vote, result=result, bars=bars(result),
        turnout=domain.turnout(vote) if vote.closed_result is None else None,
        my_key=domain.own_voter_key(current_user, vote),
        my_ballot=domain.my_ballot(current_user, vote), staff=_staff_of(vote),
        anchor=domain.chain_anchor(vote), **project_context(vote, current_user))


@bp.get("/<id:vote_id>/result")
@login_required
def result(vote_id):
    """The result with the same bars."""
    vote = _load(vote_id)
    outcome = domain.vote_result(vote)
    return render_template("votes/result.html", vote=vote, result=outcome, bars=bars(outcome),
                           anchor=domain.chain_anchor(vote))


@bp.get("/<id:vote_id>/notice")
@login_required
def notice(vote_id):
    """A printable public notice (公示) of the result for the lobby board."""
    vote = _load(vote_id)
    return render_template("votes/notice.html", vote=vote, result=domain.vote_result(vote),
                           anchor=domain.chain_anchor(vote), printed_at=utcnow())


@bp.get("/<id:vote_id>/receipt")
@limiter.limit(RECEIPT_LIMIT)
def receipt(vote_id):
    """Anyone: check a receipt code (whether and how that ballot is counted, no identity).

    Nothing about the vote shows, not even whether it exists, until the code is valid."""
    vote = db.session.get(Vote, vote_id)
    code = request.args.get("code", "")[:30]
    status = None
    if vote is not None and code.strip():
        try:
            status = domain.receipt_status(vote, code)
        except NotFound:
            pass
    return render_template("votes/receipt.html", vote=vote if status else None, code=code,
                           status=status), 200 if status else 404


@bp.get("/<id:vote_id>/record")
@login_required
def record(vote_id):
    """Staff: record a kiosk or paper ballot for a unit that has not voted."""
    vote = _load(vote_id)
    require_staff_of(current_user, vote.community_id)
    units = domain.pending_units(current_user, vote)
    return render_template("votes/record.html", vote=vote, units=units)


@bp.get("/<id:vote_id>/pending")
@login_required
def pending(vote_id):
    """Staff: the door-knocking list of units that have not voted, by floor (printable)."""
    vote = _load(vote_id)
    units = domain.pending_units(current_user, vote)
    floors = {}
    for unit in units:
        floors.setdefault((unit.building.name, unit.floor), []).append(unit)
    return render_template("votes/pending.html", vote=vote, floors=floors, total=len(units))


from mutualaid.votes import project_views as _project_views  # noqa: E402,F401  (its pages)
