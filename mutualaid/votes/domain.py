"""Vote rules around the counting: who sees and may vote, casting, changes, closing, turnout.

The counting itself is ``rules.py`` (art. 278) applied by ``counting.py``; the hash chain is
``audit.py``. Functions here flush but never commit; they raise domain errors and queue live
announcements. The counting functions are re-exported so callers need only this module.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of, require_verified, staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.database import upsert, utcnow
from mutualaid.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Unit
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room
from mutualaid.votes import audit, notices, rules, stages
from mutualaid.votes.counting import (  # noqa: F401  (re-exported)
    scope_filter, current_choices, electorate, key_text, own_voter_key, recount, tally_vote,
    turnout, unit_in_scope, vote_result,
)
from mutualaid.votes.models import STAFF_CHANNELS, Ballot, CurrentBallot, Vote


# --- creating and seeing votes -------------------------------------------------------------

def create_vote(actor, *, title, description, rule, building=None, community=None,
                opens_at=None, closes_at=None, attachments=(), notice_at=None,
                objection_days=None, now=None):
    """Staff open a vote for a building or a community; raises ValidationFailed, Forbidden.

    With both, the building is the scope and must belong to the community. ``notice_at``
    (at most ``opens_at``) starts its public notice; ``objection_days`` (default 7) follow
    its close. Polls have neither.
    """
    now = now or utcnow()
    if building is None and community is None or (
            building and community and building.community_id != community.id):
        raise ValidationFailed(_("Choose a building, or a community for a community-wide vote."),
                               fields={"building_id": [_("Choose a building of the community.")]})
    community_id = building.community_id if building else community.id
    require_staff_of(actor, community_id)
    opens_at = opens_at or now
    if closes_at is not None and closes_at <= max(opens_at, now):
        raise ValidationFailed(_("The closing time must be after the opening time and now."),
                               fields={"closes_at": [_("Must be after the opening time.")]})
    objection_days = _check_stages(rule, opens_at, notice_at, objection_days)
    vote = Vote(community_id=community_id, building_id=building.id if building else None,
                rule=rule, title=title, description=description, attachments=list(attachments),
                opens_at=opens_at, closes_at=closes_at, created_by_id=actor.id, version=1,
                notice_at=notice_at, objection_days=objection_days)
    db.session.add(vote)
    db.session.flush()
    _announce_opening(vote, now)
    return vote


def _check_stages(rule, opens_at, notice_at, objection_days):
    """The objection days a new vote gets; raises ValidationFailed for a notice after the
    opening, or for a poll given a notice or objection days."""
    if rule == rules.POLL:
        if notice_at is not None or objection_days:
            raise ValidationFailed(_("A poll has no notice and no objection stage."),
                                   fields={"notice_at": [_("Not for a poll.")]})
        return 0
    if notice_at is not None and notice_at > opens_at:
        raise ValidationFailed(_("The notice must begin before the vote opens."),
                               fields={"notice_at": [_("Must be before the opening time.")]})
    return 7 if objection_days is None else objection_days


def scope_rooms(vote):
    """The rooms that hear about a vote: its own, and its building's or community's."""
    scope = room("building", vote.building_id) if vote.building_id else room(
        "community", vote.community_id)
    return [room("vote", vote.id), scope]


def _announce_opening(vote, now):
    """Tell the scope once that the vote is open (at creation or when its time comes)."""
    if vote.open_announced or vote.status_at(now) != "open":
        return False
    vote.open_announced = True
    db.session.flush()
    notices.vote_opened(vote)
    announce("vote.opened", vote_payload(vote), scope_rooms(vote))
    return True


def _home_places(actor):
    """Buildings and communities where ``actor`` lives or owns a unit."""
    rows = db.session.execute(
        sa.select(Building.id, Building.community_id).join(Unit, Unit.building_id == Building.id)
        .where(sa.or_(Unit.owner_id == actor.id, Unit.id == actor.unit_id))
    ).all()
    return {row.id for row in rows}, {row.community_id for row in rows}


def visible_votes(actor):
    """A select of the votes ``actor`` may see: their scopes', or their communities' as staff."""
    select = sa.select(Vote)
    if actor.role == "admin":
        return select
    buildings, communities = _home_places(actor)
    return select.where(sa.or_(
        Vote.community_id.in_(staff_community_ids(actor)),
        sa.and_(Vote.building_id.is_(None), Vote.community_id.in_(communities)),
        Vote.building_id.in_(buildings),
    ))


def can_see(actor, vote):
    """True for the vote's residents and owners, its community's staff and admins."""
    select = visible_votes(actor).where(Vote.id == vote.id).with_only_columns(Vote.id)
    return db.session.scalar(select) is not None


def require_visible(actor, vote):
    """Raise NotFound unless ``actor`` may see ``vote``."""
    if not can_see(actor, vote):
        raise NotFound(_("Not found."))


def filter_status(select, status, now=None):
    """Narrow a select of votes to ``scheduled``, ``open`` or ``closed`` at ``now``."""
    now = now or utcnow()
    # Spelled out so that a NULL closes_at never turns the whole test NULL.
    closed = sa.or_(Vote.closed_at.is_not(None),
                    sa.and_(Vote.closes_at.is_not(None), Vote.closes_at <= now))
    if status == "closed":
        return select.where(closed)
    if status == "scheduled":
        return select.where(sa.not_(closed), Vote.opens_at > now)
    return select.where(sa.not_(closed), Vote.opens_at <= now)


def _open_at(community_id, building_id):
    """Votes open now for a building: its own and its whole community's."""
    select = sa.select(Vote).where(
        Vote.community_id == community_id,
        sa.or_(Vote.building_id == building_id, Vote.building_id.is_(None)))
    return filter_status(select, "open")


def open_votes_at(community_id, building_id):
    """The votes open now for a building, oldest opening first (the lobby kiosk's)."""
    return db.session.scalars(
        _open_at(community_id, building_id).order_by(Vote.opens_at, Vote.id)).all()


def open_vote_at(community_id, building_id, vote_id):
    """One of those votes, or None (closed, not yet open, or not for this building)."""
    return db.session.scalar(_open_at(community_id, building_id).where(Vote.id == vote_id))


# --- who votes -----------------------------------------------------------------------------

def _require_open(vote, now):
    """Raise Conflict unless the vote takes ballots at ``now``."""
    status = vote.status_at(now)
    if status == "closed":
        raise Conflict(_("This vote is closed."), code="vote_closed")
    if status == "scheduled":
        raise Conflict(_("This vote is not open yet."), code="vote_not_open")


def _not_eligible():
    """The error for someone who has no vote here."""
    return Forbidden(_("You are not eligible to vote in this vote."), code="not_eligible")


# --- casting -------------------------------------------------------------------------------

def cast_ballot(actor, vote, choice, now=None, channel="online"):
    """The voter casts (or changes) their own ballot, online or signed in at a kiosk;
    returns the new Ballot.

    Raises Forbidden ``not_eligible``/``not_verified``, Conflict ``vote_closed``/``vote_not_open``.
    """
    now = now or utcnow()
    key = own_voter_key(actor, vote)
    if key is None:
        raise _not_eligible()
    require_verified(actor)
    _lock(vote)
    refresh_vote(vote, now)
    _require_open(vote, now)
    return _append(vote, key, actor, choice, channel, None, None, now, may_replace=True)


def record_assisted_ballot(staff, vote, unit, choice, channel, note=None, resident=None,
                           now=None):
    """Staff record a kiosk or paper ballot for ``unit`` (under poll: for ``resident`` there).

    Raises Forbidden (not staff here, unit out of scope), ValidationFailed (channel, resident),
    Conflict ``already_voted`` when that voter has a ballot, or when the vote is not open.
    """
    now = now or utcnow()
    require_staff_of(staff, vote.community_id)
    if channel not in STAFF_CHANNELS:
        raise ValidationFailed(_("Staff record kiosk or paper ballots."),
                               fields={"channel": [_("Choose kiosk or paper.")]})
    if not unit_in_scope(vote, unit):
        raise Forbidden(_("This unit is not part of this vote."), code="not_eligible")
    key = _assisted_key(vote, unit, resident)
    _lock(vote)
    refresh_vote(vote, now)
    _require_open(vote, now)
    if db.session.get(CurrentBallot, (vote.id, key)) is not None:
        raise Conflict(_("This voter has already voted; only they can change their ballot."),
                       code="already_voted")
    return _append(vote, key, staff, choice, channel, note, unit.id, now, may_replace=False)


def _assisted_key(vote, unit, resident):
    """The voter a staff-recorded ballot is for; raises ValidationFailed under poll."""
    if vote.rule != rules.POLL:
        return key_text(rules.voter_key(unit.id, unit.owner_id))
    if resident is None or not resident.verified or resident.unit_id != unit.id:
        raise ValidationFailed(_("Under a poll, name the verified resident of this unit."),
                               fields={"user_id": [_("Choose a verified resident of the unit.")]})
    return f"user:{resident.id}"


def _lock(vote):
    """Take the vote's row lock (PostgreSQL; SQLite writers already queue on BEGIN IMMEDIATE)
    so one ballot at a time extends the chain and checks who has voted. The lock is taken by
    giving the vote its next version, and the vote is read back as it now is: one round trip
    where a read FOR UPDATE and the version's write took two. Each round trip made while the
    lock is held waits for the GIL too, and voters queue behind it (bench/load.py)."""
    db.session.flush()
    db.session.execute(
        sa.update(Vote).where(Vote.id == vote.id).values(version=Vote.version + 1)
        .returning(Vote).execution_options(populate_existing=True)).all()


def _append(vote, key, actor, choice, channel, note, unit_id, now, may_replace, proxy=None):
    """Append a sealed ballot record, point the voter's current ballot at it, announce turnout."""
    ballot = Ballot(vote_id=vote.id, voter_key=key, unit_id=unit_id, cast_by_id=actor.id,
                    choice=choice, channel=channel, note=note, recorded_at=now,
                    receipt=audit.new_receipt(), proxy_id=proxy.id if proxy else None)
    ballot.proxy = proxy
    audit.seal(ballot)
    db.session.add(ballot)
    db.session.flush()
    _point_current(vote, key, ballot, may_replace=may_replace)
    # Counted once the ballot is committed: the vote's row lock is held while a ballot is
    # appended, not while every ballot is counted (the queue of voters at a busy vote).
    announce("vote.turnout", lambda: vote_payload(vote), scope_rooms(vote), after_commit=True,
             latest_of=("vote", vote.id))
    return ballot


def _point_current(vote, key, ballot, may_replace):
    """Make ``ballot`` the voter's current one, in one statement (the vote's row lock is held:
    round trips count). The primary key (vote, voter) is the last word on "one ballot per
    voter": without ``may_replace`` (staff recording) an existing one is a Conflict."""
    insert = upsert(CurrentBallot).values(
        vote_id=vote.id, voter_key=key, ballot_id=ballot.id)
    voter = ["vote_id", "voter_key"]
    statement = (insert.on_conflict_do_update(index_elements=voter, set_={"ballot_id": ballot.id})
                 if may_replace else insert.on_conflict_do_nothing(index_elements=voter))
    if db.session.execute(statement.returning(CurrentBallot.ballot_id)).first() is None:
        raise Conflict(_("This voter has already voted; only they can change their ballot."),
                       code="already_voted")


# --- closing -------------------------------------------------------------------------------

def close_vote(actor, vote, now=None):
    """Staff close a vote now (early, or a scheduled one); raises InvalidTransition if closed."""
    now = now or utcnow()
    require_staff_of(actor, vote.community_id)
    refresh_vote(vote, now)
    if vote.closed_at is not None:
        raise InvalidTransition(_("This vote is already closed."))
    _close(vote, now)
    return vote


def _close(vote, at):
    """Freeze the electorate and the result, mark closed, announce ``vote.closed``."""
    vote.closed_electorate = electorate(vote)
    vote.closed_result = tally_vote(vote).as_dict()
    vote.closed_at = at
    vote.version += 1
    stages.on_close(vote)
    db.session.flush()
    notices.vote_closed(vote)
    announce("vote.closed", vote_payload(vote), scope_rooms(vote))


def refresh_vote(vote, now=None):
    """Bring a vote up to date with the clock (announce its opening, close it when due).

    Returns True when something changed (the caller commits).
    """
    now = now or utcnow()
    changed = _announce_opening(vote, now)
    if vote.closed_at is None and vote.closes_at is not None and vote.closes_at <= now:
        _close(vote, vote.closes_at)
        changed = True
    return stages.refresh_stage(vote, now) or changed


def refresh_due_votes(now=None):
    """Close every vote past its closing time, announce those that opened or began their
    notice, and begin the final result of those due; returns them."""
    now = now or utcnow()
    due = db.session.scalars(sa.select(Vote).where(
        Vote.closed_at.is_(None),
        sa.or_(Vote.closes_at <= now,
               sa.and_(Vote.open_announced.is_(False), Vote.opens_at <= now)),
    ).order_by(Vote.id)).all()
    due = sorted(set(due) | set(stages.due_for_stage(now)), key=lambda vote: vote.id)
    return [vote for vote in due if refresh_vote(vote, now)]


# --- counting and showing ------------------------------------------------------------------

def vote_payload(vote):
    """The vote as the API answers it, with live turnout (also the Socket.IO payload)."""
    from mutualaid.votes.information import project_detail
    from mutualaid.votes.schemas import vote_schema

    return vote_schema.dump(vote) | {"turnout": turnout(vote)} | project_detail(vote)


def chain_anchor(vote):
    """``{"chain_head", "ballots_count"}``: the hash of the vote's last ballot record and the
    number of records (changes included). Shown on the vote, its result and its notices, a
    head pinned in the lobby or photographed anchors the chain outside the database. It is
    frozen at close: a closed vote takes no record (and records are append-only)."""
    count, head = audit.chain_head(vote.id)
    return {"chain_head": head, "ballots_count": count}


def my_ballot(actor, vote):
    """The ballot that counts for ``actor`` in ``vote`` (cast by them or by staff), or None."""
    key = own_voter_key(actor, vote)
    current = db.session.get(CurrentBallot, (vote.id, key)) if key else None
    return current.ballot if current else None


def receipt_status(vote, code):
    """Whether and how the ballot with this receipt counts; raises NotFound for unknown codes."""
    ballot = db.session.scalar(sa.select(Ballot).where(
        Ballot.vote_id == vote.id, Ballot.receipt == audit.normalise_receipt(code)))
    if ballot is None:
        raise NotFound(_("No ballot has this receipt."))
    current = db.session.get(CurrentBallot, (vote.id, ballot.voter_key))
    superseded = current is None or current.ballot_id != ballot.id
    return {"vote_id": vote.id, "counted": not superseded and ballot.voter_key in electorate(vote),
            "superseded": superseded, "choice": ballot.choice, "channel": ballot.channel,
            "recorded_at": ballot.recorded_at}


def pending_units(actor, vote):
    """Staff: units in scope whose voter has not voted, by building, floor and number."""
    require_staff_of(actor, vote.community_id)
    voted = {key for key, _choice in current_choices(vote)}
    units = db.session.scalars(
        sa.select(Unit).join(Building).where(scope_filter(vote))
        .order_by(Building.name, Unit.floor, Unit.number)
    ).all()
    if vote.rule != rules.POLL:
        return [u for u in units if key_text(rules.voter_key(u.id, u.owner_id)) not in voted]
    residents = db.session.execute(sa.select(User.id, User.unit_id).where(
        User.verified_at.is_not(None), User.active, User.unit_id.in_([u.id for u in units]))).all()
    waiting = {unit_id for user_id, unit_id in residents if f"user:{user_id}" not in voted}
    return [u for u in units if u.id in waiting]


def verify_vote(vote):
    """Check a vote's records: the chain, the current pointers, and the recount.

    Returns ``(problems, recounted result)``; no problems means the vote is intact. The
    recount must equal the frozen result once closed, the live tally while open.
    """
    chain = audit.verify_chain(vote.id)
    if not chain.ok:
        return [f"record {chain.bad_seq} (ballot id {chain.bad_id}): {chain.reason}"], None
    problems = []
    if not audit.current_pointers_match(vote.id):
        problems.append("current ballots do not point at each voter's latest record")
    recounted = recount(vote)
    expected = vote.closed_result if vote.closed_result is not None else tally_vote(vote).as_dict()
    if recounted.as_dict() != expected:
        problems.append("the recount differs from the recorded result")
    return problems, recounted


def ballots_csv(actor, vote):
    """Staff: the audit export of every ballot record."""
    require_staff_of(actor, vote.community_id)
    return audit.ballots_csv(vote.id)
