"""Load: 500 simulated residents for 2 minutes on 2 gunicorn instances behind nginx, with
PostgreSQL and Redis. An asyncio/aiohttp load generator (the equivalent of a locust run,
without gevent in the app's venv), bounded in time.

    python bench/load.py                      # --users 500 --seconds 120 --think 2 8
    python bench/load.py --users 50 --seconds 20   # a quick look

Each resident signs in with a bearer token, then loops until the time is up: think for a
uniform 2–8 s (a person on a phone), then one action, drawn with these weights:

    browse the board (GET /communities/ID/board) 50   (the community's open orders, cached)
    list open orders (GET /orders?status=open)   10   (a page of 20, built per request)
    open one order   (GET /orders/ID)            10
    post an order    (POST /orders)              10
    accept an order  (POST /orders/ID/accept)    10   (one from the board, not their own)
    vote             (POST /votes/ID/ballots)    10   (a community poll; re-voting allowed)

A 409 on accept (someone else was faster: the order is no longer open) is the race the app
is built to answer, and is counted apart as ``lost races``, not as an error. Anything else
>= 400, a timeout or a connection failure is an error. Residents come from 16 loopback
networks (127.0.N.1) so that nginx's ip_hash spreads them over both instances as real
addresses would. Figures: throughput, p50/p95/p99 latency per action and overall, errors.
The instances' structured request logs are kept and checked for request ids.
"""
import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.realtime import (  # noqa: E402
    GUNICORN, REDIS, ROOT, Database, app_env, free_port, load, migrated_app, nginx_in_front,
    percentile, wait_for,
)

MIX = [("browse", 50), ("list", 10), ("view", 10), ("post", 10), ("accept", 10), ("vote", 10)]
NETWORKS = 16


def seed(env, users, open_orders):
    """Migrate; one community of ``users`` verified residents (tokens), a community poll, and
    ``open_orders`` open orders. Returns (tokens, vote id, community id)."""
    from mutualaid.accounts import domain as accounts
    from mutualaid.core.extensions import db
    from mutualaid.orders import domain as orders
    from tests.factories import make_building, make_community, make_unit, make_user
    from tests.votes.factories import make_vote

    with migrated_app(env).app_context():
        community = make_community()
        buildings = [make_building(community, name=f"B{i}") for i in range(5)]
        people = []
        for index in range(users):
            unit = make_unit(buildings[index % 5], f"{index // 5 + 101}")
            people.append(make_user(f"load{index}", verified=True, unit=unit))
        tokens = [accounts.issue_token(person) for person in people]
        vote = make_vote(community=community, rule="poll", title="Summer fair?")
        for index in range(open_orders):
            orders.create_order(people[index % users], {
                "title": f"Seed need {index}", "description": "", "tags": ["errands"],
                "urgency": "normal"})
        db.session.commit()
        ids = vote.id, community.id
        db.engine.dispose()
    return (tokens, *ids)


class Instances:
    """``count`` gunicorn instances (deploy/gunicorn.conf.py); their logs go to files."""

    def __init__(self, env, count, workdir):
        self.ports = [free_port() for _ in range(count)]
        self.logs = [workdir / f"instance-{i}.log" for i in range(count)]
        self.processes = []
        for port, log in zip(self.ports, self.logs):
            self.processes.append(subprocess.Popen(
                [GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"], cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{port}"},  # deploy/'s gevent worker, as run
                stdout=open(log, "wb"), stderr=subprocess.STDOUT))
        for port in self.ports:
            wait_for(f"http://127.0.0.1:{port}/healthz")

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class Stats:
    def __init__(self):
        self.latency = defaultdict(list)
        self.errors = Counter()
        self.lost_races = 0

    def record(self, action, ms, problem=None):
        self.latency[action].append(ms)
        if problem:
            self.errors[f"{action}: {problem}"] += 1


async def resident(index, token, url, vote_id, community_id, deadline, think, stats, sessions):
    session = sessions[index % NETWORKS]
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(index)
    board = []
    await asyncio.sleep(rng.uniform(0, think[1]))  # residents arrive spread out
    while time.monotonic() < deadline:
        action = rng.choices([a for a, _ in MIX], [w for _, w in MIX])[0]
        if action in ("view", "accept") and not board:
            action = "browse"
        if action == "browse":
            method, path, body = "GET", f"/api/v1/communities/{community_id}/board", None
        elif action == "list":
            method, path, body = "GET", "/api/v1/orders?status=open", None
        elif action == "view":
            method, path, body = "GET", f"/api/v1/orders/{rng.choice(board)}", None
        elif action == "post":
            method, path, body = "POST", "/api/v1/orders", {
                "title": f"Need of resident {index}", "tags": ["errands"],
                "description": "Could someone help this afternoon?"}
        elif action == "accept":
            method, path, body = "POST", f"/api/v1/orders/{board.pop(0)}/accept", None
        else:
            method, path, body = "POST", f"/api/v1/votes/{vote_id}/ballots", {
                "choice": rng.choice(["yes", "no", "abstain"])}
        started = time.perf_counter()
        problem = None
        try:
            async with session.request(method, url + path, json=body, headers=headers) as r:
                answer = await r.read()
                status = r.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            status, answer, problem = None, b"", type(error).__name__
        ms = (time.perf_counter() - started) * 1000
        if status is not None and status >= 400:
            if action == "accept" and status in (403, 409):
                stats.lost_races += 1  # taken by someone else, or their own order
            else:
                problem = str(status)
        stats.record(action, ms, problem)
        if action in ("browse", "list") and status == 200:
            board = [o["id"] for o in json.loads(answer)["items"]]
            rng.shuffle(board)
        await asyncio.sleep(min(rng.uniform(*think), max(0.0, deadline - time.monotonic())))


async def run_load(url, tokens, vote_id, community_id, seconds, think):
    stats = Stats()
    timeout = aiohttp.ClientTimeout(total=30)
    sessions = [aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(
        limit=0, local_addr=(f"127.0.{n + 1}.1", 0))) for n in range(NETWORKS)]
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    try:
        await asyncio.gather(*(resident(i, t, url, vote_id, community_id, deadline, think,
                                        stats, sessions)
                               for i, t in enumerate(tokens)))
    finally:
        for session in sessions:
            await session.close()
    return stats, time.monotonic() - started


def report(stats, elapsed, users, seconds):
    every = [ms for values in stats.latency.values() for ms in values]
    total_errors = sum(stats.errors.values())
    print(f"load: {users} residents, {seconds} s, 2 gunicorn instances behind nginx, "
          f"PostgreSQL + Redis; load average {load()}")
    print(f"  {len(every)} requests in {elapsed:.0f} s = {len(every) / elapsed:.1f} req/s; "
          f"errors {total_errors}; lost accept races {stats.lost_races}")
    print(f"  {'action':8} {'count':>6} {'p50':>8} {'p95':>8} {'p99':>8}")
    for action, values in [("all", every)] + sorted(stats.latency.items()):
        print(f"  {action:8} {len(values):6d} {percentile(values, 50):7.1f}ms "
              f"{percentile(values, 95):7.1f}ms {percentile(values, 99):7.1f}ms")
    for problem, count in stats.errors.most_common(10):
        print(f"  error {problem}: {count}")


def check_logs(logs):
    """The instances' structured request logs: one JSON line per request, with its id."""
    per_instance = []
    with_ids = 0
    for log in logs:
        lines = [line for line in log.read_text(errors="replace").splitlines()
                 if '"logger": "mutualaid.requests"' in line]
        per_instance.append(len(lines))
        with_ids += sum(bool(json.loads(line).get("request_id")) for line in lines)
    print(f"  structured request log lines per instance: {per_instance}, "
          f"with a request id: {with_ids} of {sum(per_instance)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0))
    parser.add_argument("--open-orders", type=int, default=200)
    args = parser.parse_args()
    database = Database()
    workdir = Path(tempfile.mkdtemp(prefix="sharehut-load-"))
    instances = nginx = None
    try:
        env = app_env(database.url, REDIS)
        tokens, vote_id, community_id = seed(env, args.users, args.open_orders)
        instances = Instances(env, 2, workdir)
        nginx, url = nginx_in_front(instances.ports, workdir)
        stats, elapsed = asyncio.run(run_load(url, tokens, vote_id, community_id, args.seconds,
                                              tuple(args.think)))
        report(stats, elapsed, args.users, args.seconds)
        check_logs(instances.logs)
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        if instances:
            instances.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        database.drop()


if __name__ == "__main__":
    main()
