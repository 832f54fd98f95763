"""Simultaneous staff ballots for one voter: exactly one is recorded, the chain stays whole."""
import threading

from mutualaid.accounts.models import User
from mutualaid.errors import Conflict
from mutualaid.extensions import db
from mutualaid.places.models import Unit
from mutualaid.votes import domain
from mutualaid.votes.models import Vote
from tests.factories import make_building, make_staff, make_unit
from tests.votes.factories import make_vote


def test_simultaneous_staff_ballots_for_one_unit_record_exactly_one(app):
    building = make_building()
    staff = make_staff(building.community)
    unit = make_unit(building, "101")
    vote = make_vote(building, staff)
    db.session.commit()
    ids = (vote.id, staff.id, unit.id)
    db.session.remove()
    outcomes, barrier = [], threading.Barrier(6, timeout=30)

    def record():
        with app.app_context():
            barrier.wait()  # then load and record at once, as simultaneous requests do
            try:
                vote, staff, unit = (db.session.get(m, i) for m, i in zip((Vote, User, Unit), ids))
                domain.record_assisted_ballot(staff, vote, unit, "yes", "paper")
                db.session.commit()
                outcomes.append("recorded")
            except Conflict as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_voted"] * 5 + ["recorded"]
    problems, result = domain.verify_vote(db.session.get(Vote, ids[0]))
    assert problems == [] and result.participating.headcount == 1
