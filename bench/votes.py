"""Benchmark: tally and result of a 5,000-unit community vote with 5,000 ballot records.

Usage: python bench/votes.py [--units 5000] [--ballots 5000] [--runs 30]

Builds a SQLite file (WAL, as the embedded server runs) with one community of 50 buildings of
100 units, 4,000 owners (500 of them own two units) and 500 ownerless units, so 4,500 voters;
records 5,000 ballots (every voter once, 500 of them changed later) as real hash-chained rows,
then times ``domain.vote_result`` (electorate + current ballots + art. 278 tally) on a fresh
session each run. Target (DESIGN.md): < 100 ms.
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.common import fresh_app, summary, timed  # noqa: E402
from mutualaid.core.database import utcnow  # noqa: E402
from mutualaid.core.extensions import db  # noqa: E402


def build(units_total, ballots_total, rng):
    """Create the community, its units and owners, the vote and its ballot records."""
    from mutualaid.accounts.models import StaffMembership, User
    from mutualaid.places.models import Building, Community, Unit
    from mutualaid.votes import audit
    from mutualaid.votes.models import Ballot, CurrentBallot, Vote

    community = Community(name="Bench")
    db.session.add(community)
    db.session.flush()
    staff = User(username="staff", display_name="Staff", password_hash="x", role="staff")
    db.session.add(staff)
    db.session.flush()
    db.session.add(StaffMembership(user_id=staff.id, community_id=community.id))
    buildings = units_total // 100
    db.session.execute(sa.insert(Building), [
        {"community_id": community.id, "name": f"B{n}", "lat": 23.0, "lon": 113.1}
        for n in range(buildings)])
    building_ids = db.session.scalars(sa.select(Building.id).order_by(Building.id)).all()
    owners = units_total * 4 // 5
    db.session.execute(sa.insert(User), [
        {"username": f"owner{n}", "display_name": f"Owner {n}", "password_hash": "x",
         "role": "resident", "verified_at": utcnow()} for n in range(owners)])
    owner_ids = db.session.scalars(sa.select(User.id).where(User.role == "resident")).all()
    two_units = owners // 8
    holders = owner_ids + owner_ids[:two_units]  # some own a second unit
    holders += [None] * (units_total - len(holders))  # the rest have no owner of record
    rng.shuffle(holders)
    db.session.execute(sa.insert(Unit), [
        {"building_id": building_ids[i // 100], "number": f"{i % 100 // 4 + 1}{i % 4 + 1:02d}",
         "floor": i % 100 // 4 + 1, "area_hundredths": rng.randint(3000, 15000),
         "owner_id": holders[i]} for i in range(units_total)])
    vote = Vote(community_id=community.id, rule="major", title="Bench", description="Bench",
                attachments=[], opens_at=utcnow() - timedelta(days=1), created_by_id=staff.id,
                open_announced=True)
    db.session.add(vote)
    db.session.flush()

    from mutualaid.votes.domain import electorate

    keys = list(electorate(vote))
    order = keys + rng.sample(keys, ballots_total - len(keys))
    head, when, current = audit.GENESIS, utcnow(), {}
    rows = []
    for seq, key in enumerate(order, start=1):
        ballot = Ballot(vote_id=vote.id, seq=seq, voter_key=key, cast_by_id=staff.id,
                        choice=rng.choices(["yes", "no", "abstain"], [7, 2, 1])[0],
                        channel="online", recorded_at=when + timedelta(microseconds=seq),
                        receipt=audit.new_receipt(), prev_hash=head)
        ballot.hash = head = audit.record_hash(head, ballot)
        rows.append(ballot)
    db.session.add_all(rows)
    db.session.flush()
    for ballot in rows:
        current[ballot.voter_key] = ballot.id
    db.session.execute(sa.insert(CurrentBallot), [
        {"vote_id": vote.id, "voter_key": key, "ballot_id": ballot_id}
        for key, ballot_id in current.items()])
    db.session.commit()
    return vote.id, len(keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--ballots", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    rng = random.Random(278)
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(tmp)
        with app.app_context():
            from mutualaid.votes import audit, domain
            from mutualaid.votes.models import Vote

            started = time.perf_counter()
            vote_id, voters = build(options.units, options.ballots, rng)
            print(f"built {options.units} units, {voters} voters, {options.ballots} ballot "
                  f"records in {time.perf_counter() - started:.1f} s (SQLite file, WAL)")

            def result():
                return domain.vote_result(db.session.get(Vote, vote_id))

            outcome = result()
            print(f"result: participating {outcome['participating']}, passed "
                  f"{outcome['passed']}")
            lines = [
                summary("tally + result (vote_result)", timed(result, options.runs)),
                summary("live turnout (vote page, push)", timed(
                    lambda: domain.turnout(db.session.get(Vote, vote_id)), options.runs)),
                summary("recount from all records", timed(
                    lambda: domain.recount(db.session.get(Vote, vote_id)), 5)),
                summary("verify hash chain", timed(lambda: audit.verify_chain(vote_id), 5)),
            ]
            print("\n".join(lines))
            median = statistics.median(wall for wall, _cpu in timed(result, options.runs))
            verdict = "meets" if median < 100 else "MISSES"
            print(f"target < 100 ms: {verdict} (median {median:.1f} ms)")


if __name__ == "__main__":
    main()
