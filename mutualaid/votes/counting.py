"""Who votes in a vote and how it counts: the electorate, the current ballots, the tally
(through ``rules.py``), the recount from the records, and the live turnout lines.

Voters are named by text keys: ``owner:<user id>`` and ``unit:<unit id>`` (an ownerless unit)
under ``major``/``ordinary``, ``user:<user id>`` (a verified resident) under ``poll``.
Read-only: nothing here changes the database.
"""
import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.places.areas import format_area
from mutualaid.places.models import Building, Unit
from mutualaid.votes import audit, rules
from mutualaid.votes.models import Ballot, CurrentBallot


def key_text(key):
    """A ``rules.voter_key`` tuple as stored text: ``("owner", 7)`` → ``"owner:7"``."""
    kind, ident = key
    return f"{kind}:{ident}"


def scope_filter(vote):
    """A where-clause on Unit: the units in the vote's scope."""
    if vote.building_id is not None:
        return Unit.building_id == vote.building_id
    return Unit.building_id.in_(
        sa.select(Building.id).where(Building.community_id == vote.community_id))


def unit_in_scope(vote, unit):
    """True when ``unit`` belongs to the vote's building or community."""
    if vote.building_id is not None:
        return unit.building_id == vote.building_id
    return unit.building.community_id == vote.community_id


def electorate(vote):
    """``{voter key: area in hundredths}`` of everyone who may vote (frozen once closed)."""
    if vote.closed_electorate is not None:
        return vote.closed_electorate
    if vote.rule == rules.POLL:
        residents = db.session.scalars(
            sa.select(User.id).join(Unit, User.unit_id == Unit.id)
            .where(scope_filter(vote), User.verified_at.is_not(None), User.active)
        )
        return {f"user:{user_id}": 0 for user_id in residents}
    # Core rows (no ORM loading): a 5,000-unit community is read on every ballot.
    rows = db.session.connection().execute(
        sa.select(Unit.id, Unit.owner_id, Unit.area_hundredths).where(scope_filter(vote)))
    units = (rules.UnitInScope(*row) for row in rows)
    return {key_text(v.key): v.area_hundredths for v in rules.voters_from_units(units)}


def own_voter_key(actor, vote):
    """The key ``actor`` votes under in ``vote``, or None when they are not eligible."""
    if vote.rule == rules.POLL:
        if actor.verified and actor.unit is not None and unit_in_scope(vote, actor.unit):
            return f"user:{actor.id}"
        return None
    owns = db.session.scalar(
        sa.select(Unit.id).where(Unit.owner_id == actor.id, scope_filter(vote)).limit(1))
    return f"owner:{actor.id}" if owns is not None else None


def current_choices(vote):
    """``[(voter key, choice)]`` of the ballots that count now, one per voter."""
    return db.session.connection().execute(
        sa.select(CurrentBallot.voter_key, Ballot.choice)
        .join(Ballot, Ballot.id == CurrentBallot.ballot_id)
        .where(CurrentBallot.vote_id == vote.id)
    ).all()


def tally_vote(vote):
    """The ``rules.Result`` of the current ballots of eligible voters."""
    voters = electorate(vote)
    # A ballot whose voter has since left the electorate (a unit sold) no longer counts.
    cast = [rules.CastBallot(key, choice) for key, choice in current_choices(vote)
            if key in voters]
    eligible = [rules.EligibleVoter(key, area) for key, area in voters.items()]
    return rules.tally(vote.rule, eligible, cast)


def recount(vote):
    """The result recomputed from every ballot record in order (the latest per voter counts)."""
    voters = electorate(vote)
    cast = [rules.CastBallot(b.voter_key, b.choice) for b in audit.records(vote.id)
            if b.voter_key in voters]
    eligible = [rules.EligibleVoter(key, area) for key, area in voters.items()]
    return rules.tally(vote.rule, eligible, cast)


def vote_result(vote):
    """The DESIGN result object: the frozen one once closed, else the live count."""
    if vote.closed_result is not None:
        return {"status": "closed", **vote.closed_result}
    return {"status": vote.status, **tally_vote(vote).as_dict()}


def _ceil_div(a, b):
    """Ceiling of a / b for non-negative integers."""
    return -(-a // b)


def turnout(vote, result=None):
    """Live turnout: eligible, participating and yes, and the lines they must reach."""
    r = result or tally_vote(vote)
    poll = vote.rule == rules.POLL

    def weight(area, heads):
        return {"area_m2": None if poll else format_area(area), "headcount": heads}

    e, p, yes = r.eligible, r.participating, r.tally["yes"]
    if vote.rule == rules.MAJOR:
        approval = weight(_ceil_div(3 * p.area_hundredths, 4), _ceil_div(3 * p.headcount, 4))
    elif poll:
        approval = weight(0, p.headcount // 2 + 1 if p.headcount else 0)
    else:
        approval = weight(p.area_hundredths // 2 + 1 if p.area_hundredths else 0,
                          p.headcount // 2 + 1 if p.headcount else 0)
    quorum = None if poll else weight(_ceil_div(2 * e.area_hundredths, 3),
                                      _ceil_div(2 * e.headcount, 3))
    return {
        "eligible": weight(e.area_hundredths, e.headcount),
        "participating": weight(p.area_hundredths, p.headcount),
        "yes": weight(yes.area_hundredths, yes.headcount),
        "quorum_needed": quorum, "approval_needed": approval,
        "quorum_met": r.quorum_met, "passing": r.passed,
    }
