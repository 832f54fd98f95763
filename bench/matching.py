"""Benchmark of the matching engine on a city-sized database.

    /work/main/.venv/bin/python bench/matching.py [--orders 1000] [--naive-orders 50] [--limit 20]
        [--fresh]
    /work/main/.venv/bin/python bench/matching.py --postgres postgresql+psycopg://.../bench \
        --residents 1000000 [--orders 1000] [--naive-orders 3] [--fresh]

Generates (once, into bench/data/matching.sqlite3, or into the PostgreSQL database given, which
keeps it between runs; --fresh rebuilds) 100,000 verified residents (or --residents) living in
the buildings of estates spread over an area of 15 x 15 km per 100,000 residents around
Chancheng, Foshan (walk-ups of 7 floors x 4 flats, slab blocks of 18 x 6, towers of 32 x 4),
two skill rows and 0.05 offers per resident. Then ranks random orders with ``rank_candidates``
and reports p50/p95/p99 per order, wall and CPU time (on PostgreSQL the CPU time of the
database's backend process is added to this process's own), and compares with a naive full
scan that loads every resident with their skills and computes the exact great-circle distance
for each (on a sample of the same orders, checking that both give the same candidates).
"""
import argparse
import gc
import math
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from geopy.distance import great_circle  # noqa: E402

from mutualaid import create_app  # noqa: E402
from mutualaid.core.config import Config  # noqa: E402
from mutualaid.core.extensions import db  # noqa: E402

DATA = ROOT / "bench" / "data"
DB_FILE = DATA / "matching.sqlite3"
CENTRE = (23.0190, 113.1060)  # Chancheng, Foshan
SIDE_M = 15_000  # per 100,000 residents: a bigger city spreads further, as dense
RESIDENTS, SKILLS_PER_RESIDENT, OFFERS_PER_RESIDENT = 100_000, 2, 0.05
# (floors, flats per floor, share of buildings)
BUILDING_KINDS = [(7, 4, 0.55), (18, 6, 0.30), (32, 4, 0.15)]
# what people keep as their radius: most never change the default
RADII = [(1000, 0.70), (500, 0.10), (2000, 0.12), (3000, 0.06), (5000, 0.02)]
SEED = 20261123


class BenchConfig(Config):
    def __init__(self, url=None):
        super().__init__(DATA)
        self.SQLALCHEMY_DATABASE_URI = url or f"sqlite:///{DB_FILE}"
        self.SEED_DEMO = False


def weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def offset(lat, lon, north_m, east_m):
    return (lat + north_m / 111_195,
            lon + east_m / (111_195 * math.cos(math.radians(lat))))


def generate(rng, residents):
    """Fill the database with bulk inserts (COPY on PostgreSQL, executemany on SQLite)."""
    from mutualaid.accounts.models import User
    from mutualaid.matching.models import ALL_DAYS, ALL_PARTS, Offer, OfferTag, UserSkill
    from mutualaid.matching.tags import TAXONOMY
    from mutualaid.places.models import Building, Community, Unit

    now = datetime.now(UTC)
    tag_weights = [(code, 1 if "." in code else 2) for code in TAXONOMY]
    side = SIDE_M * math.sqrt(residents / RESIDENTS)
    buildings, units, users = [], [], []
    estate = 0
    while len(units) < residents:
        estate += 1
        # estates crowd towards the old centre: a normal spread, clipped to the area
        north = max(-side / 2, min(side / 2, rng.gauss(0, side / 4)))
        east = max(-side / 2, min(side / 2, rng.gauss(0, side / 4)))
        elat, elon = offset(*CENTRE, north, east)
        for number in range(rng.randint(1, 8)):
            floors, flats, _share = weighted(rng, [(k, k[2]) for k in BUILDING_KINDS])
            lat, lon = offset(elat, elon, rng.uniform(-150, 150), rng.uniform(-150, 150))
            building_id = len(buildings) + 1
            buildings.append({"id": building_id, "community_id": estate,
                              "name": f"{number + 1}", "lat": lat, "lon": lon})
            for floor in range(1, floors + 1):
                for flat in range(1, flats + 1):
                    units.append({"id": len(units) + 1, "building_id": building_id,
                                  "number": f"{floor}{flat:02d}", "floor": floor,
                                  "area_hundredths": rng.randint(4500, 14000), "owner_id": None})
    units = units[:residents]
    communities = [{"id": i, "name": f"Estate {i}", "created_at": now} for i in range(1, estate + 1)]
    for unit in units:
        users.append({"id": unit["id"], "username": f"r{unit['id']}",
                      "display_name": f"Resident {unit['id']}", "phone": None,
                      "password_hash": "x", "role": "resident", "active": True,
                      "unit_id": unit["id"], "relation": "owner", "verified_at": now,
                      "vulnerable": False, "vetted": rng.random() < 0.05, "pin_failures": 0,
                      "created_at": now})
    position = {b["id"]: (b["lat"], b["lon"]) for b in buildings}
    home = {unit["id"]: position[unit["building_id"]] for unit in units}  # user id = unit id
    skills, radius_of = {}, {}
    while len(skills) < SKILLS_PER_RESIDENT * residents:
        user_id = rng.randint(1, residents)
        radius = radius_of.setdefault(user_id, weighted(rng, RADII))
        tag = weighted(rng, tag_weights)
        lat, lon = home[user_id]
        skills[user_id, tag] = {"user_id": user_id, "tag": tag, "radius_m": radius,
                                "lat": lat, "lon": lon}
    skills = list(skills.values())
    offers, offer_tags = [], []
    for offer_id in range(1, round(OFFERS_PER_RESIDENT * residents) + 1):
        owner_id = rng.randint(1, residents)
        offers.append({"id": offer_id, "owner_id": owner_id, "title": "Help",
                       "lat": home[owner_id][0], "lon": home[owner_id][1],
                       "description": "", "radius_m": weighted(rng, RADII),
                       "available_days": rng.randint(1, ALL_DAYS),
                       "available_parts": rng.randint(1, ALL_PARTS), "active": True,
                       "created_at": now})
        for tag in {weighted(rng, tag_weights) for _ in range(rng.randint(1, 2))}:
            offer_tags.append({"offer_id": offer_id, "tag": tag})
    for model, rows in [(Community, communities), (Building, buildings), (Unit, units),
                        (User, users), (UserSkill, skills), (Offer, offers),
                        (OfferTag, offer_tags)]:
        insert(model.__table__, rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # what autovacuum does after a bulk load: statistics, and the visibility map that
        # lets the reach indexes answer without visiting the table
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    return len(buildings), len(skills), len(offers)


def insert(table, rows):
    """Bulk insert of dicts: COPY on PostgreSQL (a million rows in seconds), else executemany."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def random_needs(rng, count):
    """Orders of random residents, at their building, with 1-2 tags."""
    from mutualaid.accounts.models import User
    from mutualaid.matching.ranking import Need
    from mutualaid.matching.tags import TAXONOMY
    from mutualaid.places.models import Building, Unit

    places = db.session.execute(sa.select(User.id, Building.id, Building.lat, Building.lon)
                                .join(Unit, Unit.id == User.unit_id)
                                .join(Building, Building.id == Unit.building_id)).all()
    codes = list(TAXONOMY)
    needs = []
    for order_id in range(1, count + 1):
        user_id, building_id, lat, lon = rng.choice(places)
        window = None
        if rng.random() < 0.3:
            window = datetime(2026, 12, 1, 8, tzinfo=UTC) + timedelta(hours=rng.randint(0, 24 * 7))
        needs.append(Need(tags=tuple(rng.sample(codes, rng.choice([1, 1, 1, 2]))), lat=lat,
                          lon=lon, building_id=building_id, requester_id=user_id,
                          vetted_only=rng.random() < 0.1, window_start=window,
                          window_end=window and window + timedelta(hours=2), order_id=order_id))
    return needs


def naive_rank(need, stats, limit=20):
    """The honest naive version: every resident and their skills and offers, loaded in full,
    the exact distance computed for each resident, then the same rules and score."""
    from mutualaid.accounts.models import User
    from mutualaid.matching import ranking
    from mutualaid.matching.models import Offer, OfferTag, UserSkill
    from mutualaid.places.models import Building, Unit

    people = db.session.execute(
        sa.select(*ranking.HELPER_COLUMNS).select_from(User)
        .join(Unit, Unit.id == User.unit_id).join(Building, Building.id == Unit.building_id)
        .where(*ranking._people(need))).all()
    distance = {row.user_id: round(great_circle((need.lat, need.lon), (row.lat, row.lon)).meters)
                for row in people}
    helpers = {row.user_id: ranking.Helper(*row) for row in people}
    for tag, radius, user_id in db.session.execute(
            sa.select(UserSkill.tag, UserSkill.radius_m, UserSkill.user_id)):
        if user_id in helpers:
            helpers[user_id].capabilities.append(ranking.Capability(tag, radius))
    for row in db.session.execute(sa.select(*ranking.OFFER_COLUMNS, Offer.owner_id)
                                  .join(Offer, Offer.id == OfferTag.offer_id)
                                  .where(Offer.active.is_(True))):
        if row.owner_id in helpers:
            helpers[row.owner_id].capabilities.append(ranking.Capability(*row[:6]))
    scored = []
    for user_id, helper in helpers.items():
        reach = ranking._reach(need, helper, distance[user_id])
        if reach is not None:
            scored.append((helper, distance[user_id], reach))
    loaded = stats([helper.user_id for helper, _d, _r in scored])
    candidates = [ranking._candidate(need, helper, d, reach,
                                     loaded.get(helper.user_id, ranking.HelperStats()))
                  for helper, d, reach in scored]
    candidates.sort(key=lambda c: (-c.score, c.distance_m, c.user_id))
    return candidates[:limit]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def backend():
    """The process id of the PostgreSQL backend serving this session, None on SQLite (which
    runs inside this process)."""
    if db.engine.dialect.name != "postgresql":
        return None
    return db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()


def backend_cpu_ms(pid):
    """CPU time so far of that backend (it runs on this machine), from the scheduler's
    nanosecond counter."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6 if pid else 0.0


def is_generated(residents, fresh):
    """Whether the database already holds this benchmark's data (else it is made anew)."""
    if db.engine.dialect.name != "postgresql":
        if fresh:
            for path in DATA.glob("matching.sqlite3*"):
                path.unlink()
        return DB_FILE.exists()
    if not fresh and sa.inspect(db.engine).has_table("users"):
        if db.session.execute(sa.text("SELECT count(*) FROM users")).scalar() == residents:
            return True
    db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.session.commit()
    return False


def spread(name, values):
    return (f"{name} p50 {percentile(values, 0.5):.2f} ms, p95 {percentile(values, 0.95):.2f} ms, "
            f"p99 {percentile(values, 0.99):.2f} ms, max {max(values):.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--naive-orders", type=int, default=50)
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument("--limit", type=int, default=20,
                        help="candidates per order (the order page asks for 4 x 20)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to use")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data")
    options = parser.parse_args()
    from dataclasses import replace

    from flask_babel import force_locale
    from flask_migrate import upgrade

    from mutualaid.matching.ranking import HelperStats, rank_candidates

    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    app = create_app(BenchConfig(options.postgres))
    with app.app_context(), force_locale("en"):
        generated = is_generated(options.residents, options.fresh)
        upgrade()  # also brings kept data up to the newest migration
        if not generated:
            started = time.perf_counter()
            building_count, skill_count, offer_count = generate(rng, options.residents)
            print(f"generated {options.residents:,} residents in {building_count:,} buildings, "
                  f"{skill_count:,} skill rows, {offer_count:,} offers "
                  f"in {time.perf_counter() - started:.1f} s on {db.engine.dialect.name}")
        stats_table = {user_id: HelperStats(completed=rng.randint(0, 12), active=rng.randint(0, 2),
                                            rating_avg=round(rng.uniform(3, 5), 1),
                                            rating_count=rng.randint(0, 9))
                       for user_id in rng.sample(range(1, options.residents + 1),
                                                 options.residents // 5)}

        def stats(ids):
            return {i: stats_table[i] for i in ids if i in stats_table}

        needs = random_needs(random.Random(SEED + 1), options.orders)
        db.session.rollback()
        # warm the page cache and both built queries (with and without vetting)
        for need in (needs[0], replace(needs[0], vetted_only=not needs[0].vetted_only)):
            rank_candidates(need, stats, options.limit)
        db.session.rollback()
        # The server freezes its start-up heap out of the collector (app.py); do the same with
        # this benchmark's own fixtures (the helpers' records above), or full collections
        # walking them land inside the timings: they made the slowest tenth 3-4x slower.
        gc.freeze()
        print("load average before timing: %.2f on %d CPUs" % (os.getloadavg()[0], os.cpu_count()))
        timings, cpu, found = [], [], []
        for need in needs:
            pid = backend()
            started_backend = backend_cpu_ms(pid)
            started, started_cpu = time.perf_counter(), time.process_time()
            result = rank_candidates(need, stats, options.limit)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000
                       + backend_cpu_ms(pid) - started_backend)
            found.append(len(result))
            db.session.rollback()
        print(f"indexed: {len(needs)} orders on {db.engine.dialect.name}; {spread('wall', timings)}; "
              f"{spread('CPU', cpu)}; answers per order: median "
              f"{statistics.median(found):.0f}, none for {found.count(0)} orders")
        naive_timings, sample = [], needs[:options.naive_orders]
        for need in sample:
            started = time.perf_counter()
            naive = naive_rank(need, stats, options.limit)
            naive_timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
            indexed = rank_candidates(need, stats, options.limit)
            db.session.rollback()
            assert [c.as_dict() for c in naive] == [c.as_dict() for c in indexed], need
        if sample:
            sample_indexed = timings[:len(sample)]
            naive_p50 = percentile(naive_timings, 0.5)
            print(f"naive full scan: {len(sample)} of the same orders, p50 {naive_p50:.0f} ms, "
                  f"p95 {percentile(naive_timings, 0.95):.0f} ms; same candidates as indexed: yes")
            print(f"speed-up (naive p50 / indexed p50 on those orders): "
                  f"{naive_p50 / percentile(sample_indexed, 0.5):.0f}x")
        print("load average (1, 5, 15 min) at the end: %.2f %.2f %.2f on %d CPUs"
              % (*os.getloadavg(), os.cpu_count()))


if __name__ == "__main__":
    main()
