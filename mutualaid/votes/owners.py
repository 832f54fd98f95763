"""Votes and one person's account: the ballots they cast (for their data export), and the
rule that an owner of record may not close their account while a vote of theirs is open."""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Unit
from mutualaid.votes.models import Ballot, Vote


def open_votes_owned_by(user, now=None):
    """Votes open now whose scope holds a unit of which ``user`` is the owner of record."""
    now = now or utcnow()
    units = db.session.execute(
        sa.select(Unit.building_id, Building.community_id).join(Building)
        .where(Unit.owner_id == user.id)).all()
    if not units:
        return []
    buildings = {building for building, _community in units}
    communities = {community for _building, community in units}
    candidates = db.session.scalars(sa.select(Vote).where(
        Vote.closed_at.is_(None), Vote.opens_at <= now,
        sa.or_(Vote.building_id.in_(buildings),
               sa.and_(Vote.building_id.is_(None), Vote.community_id.in_(communities)))))
    return [vote for vote in candidates if vote.status_at(now) == "open"]


def refuse_while_owner_in_open_vote(user):
    """Raise Conflict ``owner_in_open_vote`` while ``user`` owns a unit in an open vote (the
    electorate and its headcount must not change under a running legal vote)."""
    if open_votes_owned_by(user):
        raise Conflict(_("You are the owner of record in a vote that is still open. You can "
                         "close your account once it has ended."), code="owner_in_open_vote")


def ballots_of(user):
    """The ballot records ``user`` cast themselves or that were cast for them."""
    keys = (f"owner:{user.id}", f"user:{user.id}")
    rows = db.session.scalars(sa.select(Ballot).where(
        sa.or_(Ballot.cast_by_id == user.id, Ballot.voter_key.in_(keys))).order_by(Ballot.id))
    return [{"vote_id": b.vote_id, "choice": b.choice, "channel": b.channel,
             "recorded_at": b.recorded_at.isoformat(), "receipt": b.receipt, "note": b.note}
            for b in rows]
