"""What votes tell the electorate who are not looking, through ``notifications.notify``:
``vote.opened`` to every eligible voter, ``vote.closing_soon`` once to those who have not
voted when less than 24 h are left, ``vote.closed`` with the result."""
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.notifications.domain import notify
from mutualaid.votes.counting import current_choices, electorate
from mutualaid.votes.models import Vote

CLOSING_SOON = timedelta(hours=24)
PEOPLE = ("owner:", "user:")  # voter keys of a person (an ownerless unit has nobody to tell)


def voter_ids(keys):
    """The user ids behind the voter keys of people."""
    return sorted(int(key.split(":", 1)[1]) for key in keys if key.startswith(PEOPLE))


def _params(vote):
    return {"vote_id": vote.id, "title": vote.title}


def vote_opened(vote):
    """Every eligible voter hears that the vote is open."""
    notify(voter_ids(electorate(vote)), "vote.opened", _params(vote), f"/votes/{vote.id}")


def stage_reached(vote, kind):
    """The electorate hears of a building project's stage: ``vote.notice`` (the notice is
    published), ``vote.objection`` (the preliminary result, objections open), ``vote.final``."""
    notify(voter_ids(electorate(vote)), kind, _params(vote), f"/votes/{vote.id}")


def answered(vote, user_id):
    """The asker of a question or the author of an objection hears it was answered."""
    notify([user_id], "vote.answered", _params(vote), f"/votes/{vote.id}")


def vote_closed(vote):
    """The electorate hears the result."""
    result = "passed" if (vote.closed_result or {}).get("passed") else "failed"
    notify(voter_ids(vote.closed_electorate or {}), "vote.closed",
           _params(vote) | {"result": result}, f"/votes/{vote.id}")


def closing_soon(now=None):
    """Once per vote, remind the eligible voters who have not voted when less than 24 h are
    left (not for a vote that opened with less than that); returns notices written."""
    from mutualaid.votes.domain import refresh_due_votes

    now = now or utcnow()
    refresh_due_votes(now)  # open and close what is due first (their notices go too)
    due = db.session.scalars(sa.select(Vote).where(
        Vote.closed_at.is_(None), Vote.opens_at <= now, Vote.closes_at.is_not(None),
        Vote.closes_at > now, Vote.closes_at <= now + CLOSING_SOON)).all()
    written = 0
    for vote in due:
        if vote.closes_at - vote.opens_at < CLOSING_SOON:
            continue
        voted = {key for key, _choice in current_choices(vote)}
        waiting = [key for key in electorate(vote) if key not in voted]
        written += len(notify(voter_ids(waiting), "vote.closing_soon",
                              _params(vote) | {"closes_at": vote.closes_at.isoformat()},
                              f"/votes/{vote.id}", now=now, once=True))
    return written

