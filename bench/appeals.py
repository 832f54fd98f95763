"""Benchmark: the open boards over 100,000 appeals, and one escalation pass.

Usage: python bench/appeals.py [--appeals 100000] [--runs 20] [--database URL]

Builds (SQLite file in WAL mode by default, or the PostgreSQL ``--database``) one street of
10 communities with 10 grids each, and ``--appeals`` appeals filed over the last 30 days in a
realistic mix of states (most closed, some open, resolved, rejected), all in one community's
period window for the community board. Times ``board()`` for a community (its grids ranked)
and for the street (its communities ranked), then one pass of ``escalate_overdue`` with
1,000 of the open appeals overdue (the rest not due). Targets (DESIGN.md): boards < 100 ms;
one escalation pass over 100,000 open appeals < 1 s.
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

from mutualaid import create_app  # noqa: E402
from mutualaid.core.config import TestingConfig  # noqa: E402
from mutualaid.core.database import utcnow  # noqa: E402
from mutualaid.core.extensions import db  # noqa: E402

STATES = [("closed", 60), ("resolved", 8), ("in_progress", 8), ("accepted", 6),
          ("submitted", 8), ("rejected", 5), ("reopened", 3), ("duplicate", 2)]


def build(total, rng, open_only=False):
    """Users, the street, communities, grids, buildings and ``total`` appeals in bulk."""
    from mutualaid.accounts.models import User
    from mutualaid.appeals.models import Appeal
    from mutualaid.places.models import Building, Community
    from mutualaid.streets.models import Grid, GridBuilding, Street, StreetCommunity

    now = utcnow()
    db.session.add(User(username="resident", display_name="R", password_hash="x"))
    street = Street(name="Bench street")
    db.session.add(street)
    db.session.flush()
    buildings = []
    for c in range(10):
        community = Community(name=f"C{c}")
        db.session.add(community)
        db.session.flush()
        db.session.add(StreetCommunity(community_id=community.id, street_id=street.id))
        for g in range(10):
            grid = Grid(community_id=community.id, name=f"G{g}")
            building = Building(community_id=community.id, name=f"B{g}", lat=23.0, lon=113.1)
            db.session.add_all([grid, building])
            db.session.flush()
            db.session.add(GridBuilding(building_id=building.id, grid_id=grid.id))
            buildings.append((community.id, building.id, grid.id))
    names, weights = zip(*STATES)
    rows = []
    for n in range(total):
        community_id, building_id, grid_id = buildings[0 if n % 2 else rng.randrange(100)]
        status = "submitted" if open_only else rng.choices(names, weights)[0]
        created = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
        resolved = status in ("closed", "resolved") or (status == "reopened")
        seconds = rng.randrange(3600, 5 * 24 * 3600) if resolved else None
        rating = rng.choice(["satisfied", "basically_satisfied", "unsatisfied", None]) \
            if status == "closed" else None
        rows.append({
            "community_id": community_id, "building_id": building_id, "grid_id": grid_id,
            "category": rng.choice(["environment", "noise", "parking", "facilities", "other"]),
            "title": "t", "description": "", "public": n % 5 != 0, "anonymous": False,
            "appellant_id": 1, "created_by_id": 1, "status": status,
            "level": rng.choice(["grid", "community", "street"]), "level_since": created,
            "due_at": (now - timedelta(minutes=1) if open_only and n % 100 == 0
                       else now + timedelta(days=1)) if status in
            ("submitted", "accepted", "in_progress", "reopened") else None,
            "first_accepted_at": created if status != "submitted" else None,
            "accepted_in_time": (rng.random() < 0.9) if status != "submitted" else None,
            "first_resolved_at": created + timedelta(seconds=seconds) if seconds else None,
            "resolve_seconds": seconds, "resolved_at": None, "rating": rating,
            "closed_unrated": status == "closed" and rating is None, "version": 1,
            "created_at": created, "updated_at": created,
        })
    for start in range(0, total, 5000):
        db.session.execute(sa.insert(Appeal), rows[start:start + 5000])
    db.session.commit()
    return street.id, buildings[0][0]


def timed(fn, runs):
    """Wall and CPU milliseconds of ``fn()`` per run, each on a fresh session."""
    samples = []
    for _ in range(runs):
        db.session.remove()
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
    return samples


def summary(name, samples):
    """One line: wall median, p95 and max, and the CPU median."""
    ordered = sorted(wall for wall, _cpu in samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    cpu = statistics.median(cpu for _wall, cpu in samples)
    return (f"{name:34} median {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  "
            f"max {ordered[-1]:7.1f} ms  cpu median {cpu:7.1f} ms")


def app_for(tmp, url):
    """An app on a fresh schema (SQLite in ``tmp``, or ``url``)."""
    config = TestingConfig(tmp)
    config.APPEALS_BOARD_CACHE_SECONDS = 0  # time the build; the 5 s cache is timed apart
    if url:
        config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default=None)
    options = parser.parse_args()
    rng = random.Random(12345)
    with tempfile.TemporaryDirectory() as tmp:
        app = app_for(tmp, options.database)
        with app.app_context():
            from mutualaid.appeals import checks
            from mutualaid.appeals.board import board
            from mutualaid.streets.domain import street_community_ids

            started = time.perf_counter()
            street_id, community_id = build(options.appeals, rng)
            print(f"built {options.appeals} appeals in {time.perf_counter() - started:.1f} s "
                  f"on {db.engine.url.get_backend_name()}")
            figures = board({community_id})
            print(f"community board: received {figures['received']}, resolution rate "
                  f"{figures['resolution_rate']}, median {figures['median_hours_to_resolve']} h")
            lines = [
                summary("community board (grids ranked)",
                        timed(lambda: board({community_id}), options.runs)),
                summary("street board (communities ranked)", timed(
                    lambda: board(street_community_ids(street_id), rank_by="community"),
                    options.runs)),
            ]
            app.config["APPEALS_BOARD_CACHE_SECONDS"] = 5
            board({community_id})
            lines.append(summary("community board, within its 5 s", timed(
                lambda: board({community_id}), options.runs)))
        app = app_for(tmp, options.database)
        with app.app_context():
            build(options.appeals, rng, open_only=True)
            db.session.remove()
            start = time.perf_counter()
            moved = checks.escalate_overdue()
            db.session.commit()
            lines.append(f"{'escalation pass (all open)':34} {moved} of {options.appeals} "
                         f"open appeals overdue: {(time.perf_counter() - start) * 1000:.0f} ms")
            start = time.perf_counter()
            checks.run_checks()
            db.session.rollback()
            lines.append(f"{'next pass (nothing due)':34} "
                         f"{(time.perf_counter() - start) * 1000:.1f} ms")
            db.drop_all()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
