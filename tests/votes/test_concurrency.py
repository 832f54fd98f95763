"""Simultaneous ballots, on SQLite and PostgreSQL: one staff ballot per voter, every online
change recorded, and the chain stays whole."""
import threading

import pytest

from mutualaid.accounts.models import User
from mutualaid.core.errors import Conflict
from mutualaid.core.extensions import db
from mutualaid.places.models import Unit
from mutualaid.votes import domain
from mutualaid.votes.models import Vote
from tests.factories import make_building, make_staff, make_unit
from tests.votes.factories import make_owner, make_vote


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app")


def at_once(app, count, work):
    """Run ``work()`` in ``count`` threads released together, each in its own app context;
    returns what each returned, or the code of the Conflict it raised."""
    outcomes, barrier = [], threading.Barrier(count, timeout=30)

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(work())
                db.session.commit()
            except Conflict as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_simultaneous_staff_ballots_for_one_unit_record_exactly_one(any_app):
    app = any_app
    building = make_building()
    staff = make_staff(building.community)
    unit = make_unit(building, "101")
    vote = make_vote(building, staff)
    db.session.commit()
    ids = (vote.id, staff.id, unit.id)
    db.session.remove()

    def record():
        vote, staff, unit = (db.session.get(m, i) for m, i in zip((Vote, User, Unit), ids))
        domain.record_assisted_ballot(staff, vote, unit, "yes", "paper")
        return "recorded"

    outcomes = at_once(app, 6, record)
    assert sorted(outcomes) == ["already_voted"] * 5 + ["recorded"]
    problems, result = domain.verify_vote(db.session.get(Vote, ids[0]))
    assert problems == [] and result.participating.headcount == 1


def test_simultaneous_changes_of_one_voters_ballot_are_all_recorded(any_app):
    app = any_app
    building = make_building()
    staff = make_staff(building.community)
    owner, _unit = make_owner(building, "101")
    vote = make_vote(building, staff)
    db.session.commit()
    ids = (vote.id, owner.id)
    db.session.remove()

    def change():
        vote, owner = db.session.get(Vote, ids[0]), db.session.get(User, ids[1])
        return domain.cast_ballot(owner, vote, "no").receipt

    receipts = at_once(app, 5, change)
    assert len(set(receipts)) == 5
    vote = db.session.get(Vote, ids[0])
    problems, result = domain.verify_vote(vote)
    assert problems == [] and result.participating.headcount == 1
    assert sum(domain.receipt_status(vote, code)["counted"] for code in receipts) == 1
