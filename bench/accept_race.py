"""Accept race: N neighbours press "I can help" on the same order at the same moment.

Runs the real server (``python app.py``, as a newcomer would) on a fresh database, then fires
N simultaneous ``POST /api/v1/orders/{id}/accept`` over HTTP from N threads released by one
barrier. Target (DESIGN.md): exactly 1 winner, N-1 × 409, 0 server errors.

    python bench/accept_race.py                       # SQLite file in a temp folder
    python bench/accept_race.py --accepts 200 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_orders
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(database_url, accepts):
    """Migrate a fresh database and create a requester, N verified helpers and one order;
    returns (order id, helper tokens)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SEED_DEMO"] = "0"
    from flask_migrate import downgrade, upgrade

    from mutualaid import create_app
    from mutualaid.accounts import domain as accounts
    from mutualaid.accounts.models import User
    from mutualaid.accounts.secrets import hash_secret
    from mutualaid.core.database import utcnow
    from mutualaid.core.extensions import db
    from mutualaid.orders import domain as orders
    from mutualaid.places.models import Building, Community, Unit

    app = create_app()
    with app.app_context():
        if not database_url.startswith("sqlite"):
            downgrade(revision="base")
        upgrade()
        community = Community(name="Bench")
        db.session.add(community)
        db.session.flush()
        building = Building(community_id=community.id, name="B", lat=23.0215, lon=113.115)
        db.session.add(building)
        db.session.flush()
        password = hash_secret("bench-password")
        people = []
        for i in range(accepts + 1):
            unit = Unit(building_id=building.id, number=f"{i + 1}", floor=1, area_hundredths=6000)
            db.session.add(unit)
            db.session.flush()
            user = User(username=f"u{i}", display_name=f"Neighbour {i}", password_hash=password,
                        unit_id=unit.id, relation="owner", verified_at=utcnow())
            db.session.add(user)
            people.append(user)
        db.session.flush()
        order = orders.create_order(people[0], {"title": "Leaking tap",
                                                "tags": ["repair.plumbing"]})
        tokens = [accounts.issue_token(user) for user in people[1:]]
        order_id = order.id
        db.session.commit()
        db.engine.dispose()
    return order_id, tokens


def start_server(database_url, log_path):
    """``python app.py`` on a free port, its (chatty) request log going to a file so that a
    full pipe never blocks it; returns (process, base URL) once /healthz answers."""
    from tests.services import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SEED_DEMO": "0", "PORT": str(port),
           "RATELIMIT_ENABLED": "0", "SECRET_KEY": "bench", "HOST": "127.0.0.1"}
    log = open(log_path, "w")  # noqa: SIM115 (kept open for the server's lifetime)
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log,
                               stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(300):
        try:
            requests.get(url + "/healthz", timeout=2)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start; see {log_path}")


def race(url, order_id, tokens):
    """Fire every accept at once; returns (status counts, errors, latencies in ms, wall ms)."""
    barrier = threading.Barrier(len(tokens) + 1)
    statuses, errors, latencies = Counter(), [], []
    lock = threading.Lock()

    def accept(token):
        session = requests.Session()
        barrier.wait()
        started = time.perf_counter()
        try:
            response = session.post(f"{url}/api/v1/orders/{order_id}/accept", timeout=60,
                                    headers={"Authorization": f"Bearer {token}"})
            with lock:
                statuses[response.status_code] += 1
                latencies.append((time.perf_counter() - started) * 1000)
        except requests.RequestException as error:
            with lock:
                errors.append(repr(error))

    threads = [threading.Thread(target=accept, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return statuses, errors, latencies, (time.perf_counter() - started) * 1000


def main():
    """Run the race and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accepts", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="sharehut-race-")
    database_url = args.database_url or f"sqlite:///{folder}/race.sqlite3"
    order_id, tokens = prepare(database_url, args.accepts)

    server, url = start_server(database_url, Path(folder) / "server.log")
    try:
        statuses, errors, latencies, wall = race(url, order_id, tokens)
        final = requests.get(f"{url}/api/v1/orders/{order_id}", timeout=60, headers={
            "Authorization": f"Bearer {tokens[0]}"}).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    backend = database_url.split(":", 1)[0]
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"accept race on {backend}: {args.accepts} simultaneous accepts, wall {wall:.0f} ms")
    print(f"  200: {statuses.get(200, 0)}  409: {statuses.get(409, 0)}  "
          f"other: {sum(n for s, n in statuses.items() if s not in (200, 409))}  "
          f"transport errors: {len(errors)}")
    print(f"  latency p50 {quantiles[49]:.0f} ms, p99 {quantiles[98]:.0f} ms")
    print(f"  order {order_id}: status {final['status']}, version {final['version']}, "
          f"helper {final['helper']['id'] if final['helper'] else None}")
    ok = (statuses.get(200) == 1 and statuses.get(409) == args.accepts - 1 and not errors
          and final["status"] == "accepted" and final["version"] == 2)
    print("  PASS" if ok else f"  FAIL {dict(statuses)} {errors[:3]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
