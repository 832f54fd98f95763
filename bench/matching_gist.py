"""The reach lookup of matching on PostgreSQL: the btree reach grid (what the app runs) against
a GiST index on each skill row's reach box (contrib ``cube``, with ``btree_gist`` for the tag),
on the benchmark's data (bench/matching.py --postgres ... makes it).

    /work/main/.venv/bin/python bench/matching_gist.py --postgres URL [--orders 300]

Creates both extensions and the GiST index in that database (minutes for 2M rows), times the
server's execution (EXPLAIN ANALYZE) of both lookups, grouped per helper as the app does, for
the same random orders, checks that both find the same helpers, then drops what it made.
"""
import argparse
import random
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.matching import BenchConfig, SEED, percentile, random_needs  # noqa: E402
from mutualaid import create_app  # noqa: E402
from mutualaid.core.extensions import db  # noqa: E402
from mutualaid.matching import ranking  # noqa: E402

# each row's reach box, with the app's 2% margin, in degrees
HALF_LAT = "radius_m * 1.02 / 111195.0"
HALF_LON = f"{HALF_LAT} / cos(radians(lat))"
BOX = (f"cube(array[lat - {HALF_LAT}, lon - {HALF_LON}], "
       f"array[lat + {HALF_LAT}, lon + {HALF_LON}])")
WITHIN = ("(lat - %(lat)s) * (lat - %(lat)s) + ((lon - %(lon)s) * %(scale)s) ^ 2"
          " <= radius_m * radius_m * %(within)s")


def gist_lookup(codes):
    """The GiST statement: an arm per code (GiST takes no lists), grouped per helper."""
    arms = " UNION ALL ".join(
        f"SELECT user_id, tag, radius_m, lat, lon FROM user_skills WHERE tag = %(code_{i})s"
        f" AND {BOX} @> cube(array[%(lat)s, %(lon)s]::float8[]) AND user_id != %(requester)s"
        for i in range(len(codes)))
    return (f"SELECT user_id, radius_m FROM ({arms}) AS found WHERE {WITHIN}"
            " GROUP BY user_id, lat, lon, radius_m")


def executed_ms(cursor, statement, params):
    """The server's execution time of ``statement``, from EXPLAIN ANALYZE."""
    cursor.execute("EXPLAIN (ANALYZE, TIMING OFF) " + statement, params)
    return float(cursor.fetchall()[-1][0].split()[2])


def btree_statement(params):
    """The app's skill statement and its parameters as psycopg receives them."""
    executed = []

    def record(_conn, _cursor, statement, parameters, *_args):
        executed.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.connection().execute(ranking._skill_query(False), params).all()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return executed[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", required=True)
    parser.add_argument("--orders", type=int, default=300)
    options = parser.parse_args()
    app = create_app(BenchConfig(options.postgres))
    with app.app_context():
        cursor = db.session.connection().connection.driver_connection.cursor()
        started = time.perf_counter()
        for statement in ("CREATE EXTENSION IF NOT EXISTS cube",
                          "CREATE EXTENSION IF NOT EXISTS btree_gist",
                          "CREATE INDEX ix_user_skills_box ON user_skills"
                          f" USING gist (tag, ({BOX})) INCLUDE (user_id, radius_m, lat, lon)",
                          "ANALYZE user_skills"):
            cursor.execute(statement)
        db.session.commit()
        print(f"GiST index built in {time.perf_counter() - started:.0f} s")
        try:
            compare(options.orders)
        finally:
            db.session.rollback()
            cursor = db.session.connection().connection.driver_connection.cursor()
            for statement in ("DROP INDEX ix_user_skills_box", "DROP EXTENSION btree_gist",
                              "DROP EXTENSION cube"):
                cursor.execute(statement)
            db.session.commit()


def compare(orders):
    """Time both lookups for the same random orders (not a vulnerable requester's)."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute("SELECT pg_size_pretty(pg_relation_size('ix_user_skills_box')),"
                   " pg_size_pretty(pg_relation_size('ix_user_skills_reach'))")
    print("index sizes: GiST %s, btree reach grid %s" % cursor.fetchone())
    times = {"btree reach grid": [], "GiST on cube boxes": []}
    for need in random_needs(random.Random(SEED + 1), orders):
        if need.vetted_only:
            continue
        codes = ranking.covering_codes(need.tags)
        params = {**ranking._reach_params(need, codes), "building": need.building_id}
        statement, values = btree_statement(params)
        times["btree reach grid"].append(executed_ms(cursor, statement, values))
        wanted = {row[:4:3] for row in db.session.connection().execute(
            ranking._skill_query(False), params)}
        times["GiST on cube boxes"].append(executed_ms(cursor, gist_lookup(codes), params))
        cursor.execute(gist_lookup(codes), params)
        assert set(cursor.fetchall()) == wanted, need
    for name, values in times.items():
        print(f"{name}: server execution p50 {percentile(values, 0.5):.2f} ms, "
              f"p95 {percentile(values, 0.95):.2f} ms, max {max(values):.2f} ms "
              f"({len(values)} orders; same helpers found by both)")


if __name__ == "__main__":
    main()
