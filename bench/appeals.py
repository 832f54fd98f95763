"""Benchmark: the open boards over 100,000 appeals, and one escalation pass.

Usage: python bench/appeals.py [--appeals 100000] [--runs 20] [--database URL]
                               [--only boards|escalation]

Builds (SQLite file in WAL mode by default, or the PostgreSQL ``--database``) one street of
10 communities with 10 grids each, and ``--appeals`` appeals filed over the last 30 days in a
realistic mix of states (most closed, some open, resolved, rejected), all in one community's
period window for the community board. Times ``board()`` for a community (its grids ranked)
and for the street (its communities ranked). Then, over ``--appeals`` open appeals of 1,000
appellants, one pass of the periodic check (``run_checks``, committed) with none due, with
1,000 due and with 10,000 due (different appeals each time), with the statements it sent.
Targets (DESIGN.md): boards < 100 ms; one escalation pass over 100,000 open appeals < 1 s.
"""
import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.common import drop_schema, fresh_app, measure, statements, summary, timed  # noqa: E402
from mutualaid.core.database import utcnow  # noqa: E402
from mutualaid.core.extensions import db  # noqa: E402

APPELLANTS = 1000
STATES = [("closed", 60), ("resolved", 8), ("in_progress", 8), ("accepted", 6),
          ("submitted", 8), ("rejected", 5), ("reopened", 3), ("duplicate", 2)]


def build(total, rng, open_only=False):
    """Users, the street, communities, grids, buildings and ``total`` appeals in bulk."""
    from mutualaid.accounts.models import User
    from mutualaid.appeals import tally
    from mutualaid.appeals.models import Appeal
    from mutualaid.places.models import Building, Community
    from mutualaid.streets.models import Grid, GridBuilding, Street, StreetCommunity

    now = utcnow()
    db.session.execute(sa.insert(User), [
        {"username": f"resident{n}", "display_name": f"R{n}", "password_hash": "x"}
        for n in range(APPELLANTS)])
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
            "appellant_id": n % APPELLANTS + 1, "created_by_id": 1, "status": status,
            "level": rng.choice(["grid", "community", "street"]), "level_since": created,
            "due_at": now + timedelta(days=1) if status in
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
    tally.rebuild()  # the rows went in around the domain, so count them as a whole
    db.session.commit()
    return street.id, buildings[0][0]


def make_due(count, every, offset):
    """Bring ``count`` open appeals, ids ``offset`` modulo ``every``, past their due time."""
    from mutualaid.appeals.models import Appeal

    ids = db.session.scalars(sa.select(Appeal.id).where(Appeal.id % every == offset)
                             .order_by(Appeal.id).limit(count)).all()
    db.session.execute(sa.update(Appeal).where(Appeal.id.in_(ids))
                       .values(due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()


def analyse_after_bulk_load():
    """Do on PostgreSQL what autovacuum does soon after a bulk load: gather the planner's
    statistics (without them it plans the board as over an empty table) and mark the pages
    all-visible (without that no scan is index-only, and the boards read the table)."""
    db.session.commit()
    if db.engine.url.get_backend_name() == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


def boards(options, rng, tmp):
    """The community and street boards, cold and within their cache."""
    app = fresh_app(tmp, options.database, APPEALS_BOARD_CACHE_SECONDS=0)
    with app.app_context():
        from mutualaid.appeals.board import board
        from mutualaid.streets.domain import street_community_ids

        started = time.perf_counter()
        street_id, community_id = build(options.appeals, rng)
        print(f"built {options.appeals} appeals in {time.perf_counter() - started:.1f} s "
              f"on {db.engine.url.get_backend_name()}")
        analyse_after_bulk_load()
        figures = board({community_id})
        print(f"community board: received {figures['received']}, resolution rate "
              f"{figures['resolution_rate']}, median {figures['median_hours_to_resolve']} h")
        street = street_community_ids(street_id)
        lines = [
            summary("community board (grids ranked)",
                    timed(lambda: board({community_id}), options.runs)),
            summary("street board (communities ranked)",
                    timed(lambda: board(street, rank_by="community"), options.runs)),
        ]
        app.config["APPEALS_BOARD_CACHE_SECONDS"] = 5
        board({community_id})
        lines.append(summary("community board, within its 5 s", timed(
            lambda: board({community_id}), options.runs)))
        drop_schema()
    return lines


def escalation(options, rng, tmp):
    """Passes of the periodic check over open appeals: none due, 1,000 and 10,000 due."""
    app = fresh_app(tmp, options.database)
    lines = []
    with app.app_context():
        from mutualaid.appeals import checks

        build(options.appeals, rng, open_only=True)
        analyse_after_bulk_load()
        for count, every, offset in ((0, 1, 0), (1000, 100, 0), (10_000, 10, 5)):
            make_due(count, every, offset)
            db.session.remove()
            with statements() as sent:
                moved, (wall, cpu) = measure(lambda: _committed(checks.run_checks))
            lines.append(f"{f'check pass, {count} due':34} {moved[0]:6} moved  "
                         f"wall {wall:7.0f} ms  cpu {cpu:7.0f} ms  {sent[0]} statements")
        drop_schema()
    return lines


def _committed(fn):
    """``fn()``, committed (the announcements are emitted then, as in the worker)."""
    result = fn()
    db.session.commit()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default=None)
    parser.add_argument("--only", choices=("boards", "escalation"), default=None)
    options = parser.parse_args()
    rng = random.Random(12345)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        if options.only != "escalation":
            lines += boards(options, rng, tmp)
        if options.only != "boards":
            lines += escalation(options, rng, tmp)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
