"""The stages of a building project's vote, beside its status: ``pending`` → ``notice``
(投票通知公示) → ``voting`` → ``objection`` (初步统计结果公示) → ``final`` (最终结果公告).

The notice publishes the electorate from ``notice_at`` until the vote opens; after close the
preliminary result stands for ``objection_days`` while eligible owners object and staff
answer (and may recount from the records); ``final`` begins by itself once those days are
over and every objection is answered, or by staff (``finalize``) once they are. Polls have
no notice and no objection stage. Functions flush but never commit.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden
from mutualaid.core.extensions import db
from mutualaid.realtime.outbox import announce
from mutualaid.votes import audit, notices, rules
from mutualaid.votes.counting import electorate, own_voter_key, recount
from mutualaid.votes.project_models import VoteLogEntry, VoteObjection

STAGES = ("pending", "notice", "voting", "objection", "final")


def stage_at(vote, now):
    """The vote's stage at ``now``."""
    status = vote.status_at(now)
    if status == "scheduled":
        return "notice" if vote.notice_at is not None and vote.notice_at <= now else "pending"
    if status == "open":
        return "voting"
    return "final" if vote.final_at is not None else "objection"


def objection_ends_at(vote):
    """When the objection days of a closed vote are over (None while it is not closed)."""
    if vote.closed_at is None:
        return None
    return vote.closed_at + timedelta(days=vote.objection_days)


def days_to_decision(vote):
    """Days from the notice (or the opening) to the final result, to the nearest whole day, or
    None before the final result."""
    if vote.final_at is None:
        return None
    seconds = (vote.final_at - (vote.notice_at or vote.opens_at)).total_seconds()
    return max(0, int((seconds + 43_200) // 86_400))


def electorate_figures(vote, now=None):
    """``{headcount, area_m2}`` of the electorate from the notice on (None before it)."""
    if stage_at(vote, now or utcnow()) == "pending":
        return None
    from mutualaid.places.areas import format_area

    voters = electorate(vote)
    area = None if vote.rule == rules.POLL else format_area(sum(voters.values()))
    return {"headcount": len(voters), "area_m2": area}


def _unanswered(vote):
    """How many objections to the vote wait for an answer."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(VoteObjection).where(
        VoteObjection.vote_id == vote.id, VoteObjection.answered_at.is_(None)))


def tell_electorate(vote, kind, answered_id=None):
    """Notify the electorate of a stage (``vote.notice``, ``vote.objection``, ``vote.final``),
    or whoever asked of an answer (``vote.answered`` to ``answered_id``), and push the changed
    vote live (``vote.updated``)."""
    if kind == "vote.answered":
        notices.answered(vote, answered_id)
    else:
        notices.stage_reached(vote, kind)
    push_vote(vote)


def push_vote(vote):
    """Push the changed vote live to its scope (``vote.updated``)."""
    from mutualaid.votes.domain import scope_rooms, vote_payload

    announce("vote.updated", lambda: vote_payload(vote), scope_rooms(vote))


def on_close(vote):
    """What closing starts: the objection stage, or at once the final result (polls, 0 days).
    The caller announces the close, which carries the new stage."""
    if vote.rule == rules.POLL or vote.objection_days == 0:
        _begin_final(vote, vote.closed_at, None, live=False)
    else:
        vote.announced_stage = "objection"
        notices.stage_reached(vote, "vote.objection")


def refresh_stage(vote, now):
    """Announce a notice that began, and begin the final result when it is due; True if changed."""
    stage = stage_at(vote, now)
    if stage == "notice" and vote.announced_stage is None:
        vote.announced_stage = "notice"
        vote.version += 1
        tell_electorate(vote, "vote.notice")
        return True
    ends = objection_ends_at(vote)
    if stage == "objection" and ends <= now and _unanswered(vote) == 0:
        last_answer = db.session.scalar(sa.select(sa.func.max(VoteObjection.answered_at))
                                        .where(VoteObjection.vote_id == vote.id))
        _begin_final(vote, max(ends, last_answer) if last_answer else ends, None)
        return True
    return False


def _begin_final(vote, at, actor, live=True):
    """Publish the final result at ``at``, logging it with the chain head."""
    vote.final_at = at
    vote.announced_stage = "final"
    seq, head = audit.chain_head(vote.id)
    _log(vote, "final", actor, at, {"chain_head": head, "ballots_count": seq,
                                    "result": vote.closed_result})
    if not live:
        notices.stage_reached(vote, "vote.final")
        return
    vote.version += 1
    db.session.flush()
    tell_electorate(vote, "vote.final")


def _log(vote, kind, actor, at, detail):
    """Add a line to the vote's audit log (outside the ballot chain)."""
    entry = VoteLogEntry(vote_id=vote.id, kind=kind, actor_id=actor.id if actor else None,
                         at=at, detail=detail)
    db.session.add(entry)
    return entry


def _require_objection_stage(vote, now):
    """Raise Conflict ``not_in_objection`` unless the vote is in its objection stage."""
    if stage_at(vote, now) != "objection":
        raise Conflict(_("This vote is not in its objection stage."), code="not_in_objection")


def file_objection(actor, vote, text, now=None):
    """An eligible owner objects to the preliminary result; raises Conflict
    ``not_in_objection``, Forbidden ``not_eligible``."""
    now = now or utcnow()
    _require_objection_stage(vote, now)
    key = own_voter_key(actor, vote)
    if key is None or key not in electorate(vote):
        raise Forbidden(_("Only the vote's eligible owners may object."), code="not_eligible")
    objection = VoteObjection(vote_id=vote.id, author_id=actor.id, text=text, at=now)
    db.session.add(objection)
    vote.version += 1
    db.session.flush()
    push_vote(vote)
    return objection


def answer_objection(actor, objection, text, now=None):
    """Staff answer an objection once; raises Forbidden, Conflict ``already_answered``."""
    now = now or utcnow()
    vote = objection.vote
    require_staff_of(actor, vote.community_id)
    if objection.answered_at is not None:
        raise Conflict(_("This has already been answered."), code="already_answered")
    objection.answer, objection.answered_at, objection.answered_by_id = text, now, actor.id
    vote.version += 1
    db.session.flush()
    tell_electorate(vote, "vote.answered", objection.author_id)
    refresh_stage(vote, now)
    return objection


def recount_vote(actor, vote, now=None):
    """Staff recount the result from the ballot records (objection stage), logged outside the
    chain; the frozen result follows the records. Raises Forbidden, Conflict
    ``not_in_objection``; returns the log entry."""
    now = now or utcnow()
    require_staff_of(actor, vote.community_id)
    _require_objection_stage(vote, now)
    chain = audit.verify_chain(vote.id)
    result = recount(vote).as_dict()
    changed = chain.ok and result != vote.closed_result
    entry = _log(vote, "recount", actor, now, {
        "chain_ok": chain.ok, "records": chain.records, "result": result, "changed": changed})
    if changed:
        vote.closed_result = result
    vote.version += 1
    db.session.flush()
    push_vote(vote)
    return entry


def finalize_vote(actor, vote, now=None):
    """Staff publish the final result once the objection days are over and every objection is
    answered; raises Forbidden, Conflict ``not_in_objection``, ``objection_days_not_over``,
    ``objections_unanswered``."""
    now = now or utcnow()
    require_staff_of(actor, vote.community_id)
    _require_objection_stage(vote, now)
    if now < objection_ends_at(vote):
        raise Conflict(_("The objection days are not over yet."), code="objection_days_not_over")
    if _unanswered(vote):
        raise Conflict(_("Answer every objection before publishing the final result."),
                       code="objections_unanswered")
    _begin_final(vote, now, actor)
    return vote


def log_entries(vote):
    """The vote's audit log outside the chain, oldest first."""
    return db.session.scalars(sa.select(VoteLogEntry).where(VoteLogEntry.vote_id == vote.id)
                              .order_by(VoteLogEntry.id)).all()


def due_for_stage(now):
    """Votes whose notice began unannounced or whose objection days are over (for the worker)."""
    from mutualaid.votes.models import Vote

    noticed = sa.and_(Vote.announced_stage.is_(None), Vote.notice_at <= now,
                      Vote.opens_at > now, Vote.closed_at.is_(None))
    closed = sa.and_(Vote.closed_at.is_not(None), Vote.final_at.is_(None))
    candidates = db.session.scalars(sa.select(Vote).where(sa.or_(noticed, closed))
                                    .order_by(Vote.id)).all()
    return [vote for vote in candidates
            if vote.closed_at is None or objection_ends_at(vote) <= now]
