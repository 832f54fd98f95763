"""Proxies (委托投票): staff record an owner's written authorisation of a proxy for one vote;
the proxy then votes for the owner (channel ``proxy``). The owner may still vote themselves
and their own latest ballot counts: a proxy ballot never replaces one. Functions flush but
never commit.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of, require_verified
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.votes import domain, rules
from mutualaid.votes.models import CurrentBallot
from mutualaid.votes.project_models import Proxy


def _invalid(field, message):
    """A 400 on one field of the authorisation."""
    return ValidationFailed(message, fields={field: [message]})


def _lives_in(user, community_id):
    """True when ``user`` is a verified resident of the community."""
    return (user.verified and user.unit is not None
            and user.unit.building.community_id == community_id)


def active_proxy(vote, owner_id):
    """The authorisation in force for ``owner_id`` in ``vote``, or None."""
    return db.session.scalar(sa.select(Proxy).where(
        Proxy.vote_id == vote.id, Proxy.owner_id == owner_id, Proxy.withdrawn_at.is_(None)))


def authorise_proxy(actor, vote, owner, proxy, note, signed_on, now=None):
    """Staff record that ``owner`` authorised ``proxy`` in writing; raises Forbidden,
    ValidationFailed (not an owner here, proxy not a verified resident of the community),
    Conflict ``vote_closed``, ``duplicate`` (one authorisation per owner and vote)."""
    now = now or utcnow()
    require_staff_of(actor, vote.community_id)
    if vote.status_at(now) == "closed":
        raise Conflict(_("This vote is closed."), code="vote_closed")
    if vote.rule == rules.POLL or domain.own_voter_key(owner, vote) is None:
        raise _invalid("owner_id", _("Not an owner of record in this vote."))
    if proxy.id == owner.id or not _lives_in(proxy, vote.community_id):
        raise _invalid("proxy_id", _("The proxy must be another verified resident of the "
                                     "community."))
    if signed_on > now.date():
        raise _invalid("signed_on", _("The authorisation cannot be signed in the future."))
    if active_proxy(vote, owner.id) is not None:
        raise Conflict(_("This owner has already authorised a proxy in this vote."),
                       code="duplicate")
    row = Proxy(vote_id=vote.id, owner_id=owner.id, proxy_id=proxy.id, note=note,
                signed_on=signed_on, recorded_by_id=actor.id, created_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def withdraw_proxy(actor, row, now=None):
    """Staff withdraw an authorisation (ballots cast under it stay); raises Forbidden, NotFound."""
    require_staff_of(actor, row.vote.community_id)
    if row.withdrawn_at is not None:
        raise NotFound(_("Not found."))
    row.withdrawn_at = now or utcnow()
    db.session.flush()


def cast_proxy_ballot(actor, vote, owner_id, choice, now=None):
    """A proxy votes for the owner who authorised them; returns the Ballot.

    Raises Forbidden ``not_proxy``, Conflict ``already_voted`` (the owner has a ballot),
    ``vote_closed``/``vote_not_open``.
    """
    now = now or utcnow()
    row = active_proxy(vote, owner_id)
    if row is None or row.proxy_id != actor.id:
        raise Forbidden(_("You are not this owner's proxy in this vote."), code="not_proxy")
    require_verified(actor)
    key = f"owner:{owner_id}"
    domain._lock(vote)
    domain.refresh_vote(vote, now)
    domain._require_open(vote, now)
    if db.session.get(CurrentBallot, (vote.id, key)) is not None:
        raise Conflict(_("This owner has already voted; only they can change their ballot."),
                       code="already_voted")
    return domain._append(vote, key, actor, choice, "proxy", None, None, now,
                          may_replace=False, proxy=row)


def proxies_of(vote):
    """The authorisations in force in a vote."""
    return db.session.scalars(sa.select(Proxy).where(
        Proxy.vote_id == vote.id, Proxy.withdrawn_at.is_(None)).order_by(Proxy.id)).all()


def proxied_for(actor, vote):
    """The owners ``actor`` may vote for in ``vote``, as authorisations."""
    return db.session.scalars(sa.select(Proxy).where(
        Proxy.vote_id == vote.id, Proxy.proxy_id == actor.id, Proxy.withdrawn_at.is_(None))
    ).all()
