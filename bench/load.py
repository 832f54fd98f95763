"""Load: 500 simulated residents for 2 minutes on 2 gunicorn instances behind nginx, with
PostgreSQL and Redis. An asyncio/aiohttp load generator (the equivalent of a locust run,
without gevent in the app's venv), bounded in time. ``--capacity`` instead finds the highest
request rate one core sustains (below).

    python bench/load.py                      # --users 500 --seconds 120 --think 2 8
    python bench/load.py --users 50 --seconds 20   # a quick look
    python bench/load.py --capacity --instances 1  # requests/s and residents per core
    python bench/load.py --capacity --instances 2  # the same on 2 instances (cores 0 and 1)

Each resident signs in with a bearer token, then loops until the time is up: think for a
uniform 2–8 s (a person on a phone), then one action, drawn with these weights:

    browse the board (GET /communities/ID/board) 40   (the community's open orders, cached)
    list open orders (GET /orders?status=open)   10   (a page of 20, built per request)
    open one order   (GET /orders/ID)            10
    post an order    (POST /orders)              10
    accept an order  (POST /orders/ID/accept)    10   (one from the board, not their own)
    vote             (POST /votes/ID/ballots)    10   (a community poll; re-voting allowed)
    write a message  (POST /orders/ID/messages)  10   (on an accepted order they are a party
                                                       to: two seeded each, and those they win)

A 409 on accept (someone else was faster: the order is no longer open) is the race the app
is built to answer, and is counted apart as ``lost races``, not as an error. Anything else
>= 400, a timeout or a connection failure is an error. Residents come from 16 loopback
networks (127.0.N.1) so that nginx's ip_hash spreads them over both instances as real
addresses would. Figures: throughput, p50/p95/p99 latency per action and overall, errors.
The instances' structured request logs are kept and checked for request ids.

Capacity (``--capacity``): instance i runs on core i alone (``taskset -c i``: its gunicorn
arbiter and its gevent worker); nginx and this load client run on the cores left over (on a
2-core machine with 2 instances none are left, and they share the instances' cores);
PostgreSQL and Redis are the machine's services, not pinned. Requests arrive OPEN-LOOP:
started at a fixed mean rate (Poisson arrivals, ``--arrivals even`` for even spacing)
whatever the answers, each by a resident drawn among those not already waiting for one, and
timed from the moment it was due (a late start counts as waiting). After a warm-up at the
first rate, each rate of ``--rates`` runs ``--step-seconds``; the steps stop at the first
whose p95 is 300 ms or more or that has an error. The highest passing rate is the capacity.
Per step: the offered rate, the rate sent (Poisson arrivals vary) and the rate answered
within the step, p50/p95/p99, errors, lost races, the client's start lag (p95: a client
falling behind shows here), the CPU used (in cores) by each instance, the instances' CPU
milliseconds per request, how long they were ready to run but waited for a core (in
cores: CPU others took from them), the CPU of nginx, of the client and of the run
database's PostgreSQL backends, and how busy each core of the machine was (everyone's work:
what else shared the machine shows as the difference).

Residents per core = capacity per instance ÷ the request rate of one resident at the evening
peak, for this activity profile (``--active-share``, ``--seconds-per-action``):

- **10 % of the residents are active at once** at the evening peak (19:00–21:00). Generous:
  a neighbourhood app is opened by perhaps a fifth to a third of its residents on a given
  day, each for a few minutes, spread over the evening; a tenth acting in the same minutes
  is a ceiling, not a mean.
- **an active resident sends one request every 20 s**: reading the board, opening an order,
  writing a message or a post takes a person tens of seconds each; live changes come over
  the socket, not by polling.

So one resident is 0.1 / 20 = 0.005 req/s at the peak, and residents per core = req/s per
core × 200. (The closed-loop run above, every resident acting every 5 s on average, is
0.2 req/s per resident: a stress test, 40× this profile.) Not in these figures: open
Socket.IO sockets and their fan-out (``bench/realtime.py --part scale``: 40–70 µs of CPU per
socket per event in a room), which the residents' phones would add.
"""
import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.realtime import (  # noqa: E402
    REDIS, Database, Instances, app_env, cpu_seconds, load, migrated_app, nginx_in_front,
    percentile,
)

MIX = [("browse", 40), ("list", 10), ("view", 10), ("post", 10), ("accept", 10), ("vote", 10),
       ("message", 10)]
NETWORKS = 16


def seed(env, users, open_orders):
    """Migrate; one community of ``users`` verified residents (tokens), a community poll,
    ``open_orders`` open orders, and one accepted order per resident (resident i asked,
    resident i+1 helps) so that everyone has two conversations to write in. Returns (tokens,
    vote id, community id, [order ids each resident is a party to])."""
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
        talks = [[] for _ in range(users)]
        for index, person in enumerate(people):
            helper = (index + 1) % users
            order = orders.create_order(person, {
                "title": f"Lift to the clinic {index}", "description": "", "tags": ["errands"],
                "urgency": "normal"})
            orders.accept_order(people[helper], order)
            db.session.flush()
            talks[index].append(order.id)
            talks[helper].append(order.id)
        for index in range(open_orders):
            orders.create_order(people[index % users], {
                "title": f"Seed need {index}", "description": "", "tags": ["errands"],
                "urgency": "normal"})
        db.session.commit()
        ids = vote.id, community.id
        db.engine.dispose()
    return (tokens, *ids, talks)


class Stats:
    def __init__(self):
        self.latency = defaultdict(list)
        self.errors = Counter()
        self.lost_races = 0
        self.done_at = []  # monotonic time of each answer (throughput within a step)
        self.lag = []  # ms between a request's planned start and its start (open loop)

    def record(self, action, ms, problem=None):
        self.latency[action].append(ms)
        self.done_at.append(time.monotonic())
        if problem:
            self.errors[f"{action}: {problem}"] += 1


class Resident:
    """One resident's token and what they know: the open orders they last saw, and the
    accepted orders they are a party to (their conversations)."""

    def __init__(self, index, token, talks):
        self.index = index
        self.headers = {"Authorization": f"Bearer {token}"}
        self.rng = random.Random(index)
        self.board = []
        self.talks = list(talks)
        self.busy = False  # a person does one thing at a time


def request_for(resident, action, vote_id, community_id):
    """(action, method, path, body) of the resident's next request."""
    rng = resident.rng
    if action in ("view", "accept") and not resident.board:
        action = "browse"
    if action == "message" and not resident.talks:
        action = "browse"
    if action == "browse":
        return action, "GET", f"/api/v1/communities/{community_id}/board", None
    if action == "list":
        return action, "GET", "/api/v1/orders?status=open", None
    if action == "view":
        return action, "GET", f"/api/v1/orders/{rng.choice(resident.board)}", None
    if action == "post":
        return action, "POST", "/api/v1/orders", {
            "title": f"Need of resident {resident.index}", "tags": ["errands"],
            "description": "Could someone help this afternoon?"}
    if action == "accept":
        return action, "POST", f"/api/v1/orders/{resident.board.pop(0)}/accept", None
    if action == "message":
        return action, "POST", f"/api/v1/orders/{rng.choice(resident.talks)}/messages", {
            "body": rng.choice(["I can come at seven.", "Thank you, see you soon!",
                                "Which door of the building?"])}
    return action, "POST", f"/api/v1/votes/{vote_id}/ballots", {
        "choice": rng.choice(["yes", "no", "abstain"])}


async def act(session, url, resident, ids, stats, planned=None):
    """One action of the mix by ``resident``, timed from ``planned`` (open loop: the moment it
    was due, so that a late start counts as waiting) or from now."""
    action, method, path, body = request_for(
        resident, resident.rng.choices([a for a, _ in MIX], [w for _, w in MIX])[0], *ids)
    started = time.monotonic()
    if planned is not None:
        stats.lag.append((started - planned) * 1000)
        started = planned
    problem = None
    resident.busy = True
    try:
        async with session.request(method, url + path, json=body,
                                   headers=resident.headers) as r:
            answer = await r.read()
            status = r.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        status, answer, problem = None, b"", type(error).__name__
    finally:
        resident.busy = False
    ms = (time.monotonic() - started) * 1000
    if status is not None and status >= 400:
        if action == "accept" and status in (403, 409):
            stats.lost_races += 1  # taken by someone else, or their own order
        else:
            problem = str(status)
    stats.record(action, ms, problem)
    if action in ("browse", "list") and status == 200:
        resident.board = [o["id"] for o in json.loads(answer)["items"]]
        resident.rng.shuffle(resident.board)
    elif action == "accept" and status == 200:
        resident.talks.append(int(path.split("/")[-2]))  # a new conversation


async def resident_loop(resident, url, ids, deadline, think, stats, sessions):
    session = sessions[resident.index % NETWORKS]
    await asyncio.sleep(resident.rng.uniform(0, think[1]))  # residents arrive spread out
    while time.monotonic() < deadline:
        await act(session, url, resident, ids, stats)
        await asyncio.sleep(min(resident.rng.uniform(*think),
                                max(0.0, deadline - time.monotonic())))


def client_sessions():
    """One aiohttp session per client network (127.0.N.1), for nginx's ip_hash."""
    timeout = aiohttp.ClientTimeout(total=30)
    return [aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(
        limit=0, local_addr=(f"127.0.{n + 1}.1", 0))) for n in range(NETWORKS)]


async def run_load(url, residents, ids, seconds, think):
    stats = Stats()
    sessions = client_sessions()
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    try:
        await asyncio.gather(*(resident_loop(resident, url, ids, deadline, think, stats,
                                             sessions) for resident in residents))
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


def core_busy():
    """Busy CPU seconds of each core of the machine so far (/proc/stat: all but idle, iowait),
    whoever used them: what else shared the machine shows here."""
    ticks = os.sysconf("SC_CLK_TCK")
    busy = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name != "cpu":
            values = [int(field) for field in fields[:8]]
            busy[int(name[3:])] = (sum(values) - values[3] - values[4]) / ticks
    return busy


def cpu_of(pids):
    """CPU seconds used so far by each of ``pids`` that still runs."""
    used = {}
    for pid in pids:
        try:
            used[pid] = cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return used


def waited(pids):
    """Seconds the threads of ``pids`` have spent ready to run but waiting for a core
    (/proc/PID/task/*/schedstat, second field): CPU others took from them."""
    total = 0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return total / 1e9


class Meter:
    """CPU seconds used by each part of the setup between two readings: each instance
    (arbiter + worker), nginx, this load client, the run database's PostgreSQL backends, and
    every core of the machine."""

    def __init__(self, instances, nginx, database):
        self.instances, self.nginx, self.database = instances, nginx, database

    def read(self):
        nginx = [self.nginx.pid, *map(int, Path(
            f"/proc/{self.nginx.pid}/task/{self.nginx.pid}/children").read_text().split())]
        with self.database.admin.connect() as connection:
            backends = connection.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.database.name}).scalars().all()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"at": time.monotonic(),
                "instances": [sum(cpu_of(pids).values()) for pids in self.instances.pids()],
                "waited": sum(waited(pids) for pids in self.instances.pids()),
                "nginx": sum(cpu_of(nginx).values()), "client": usage.ru_utime + usage.ru_stime,
                "postgres": cpu_of(backends), "cores": core_busy()}

    @staticmethod
    def cores_used(before, after):
        """Each part's CPU use between two readings, in cores (1.0 = one core all the time)."""
        wall = after["at"] - before["at"]
        postgres = sum(used - before["postgres"].get(pid, 0.0)
                       for pid, used in after["postgres"].items())
        instances = zip(before["instances"], after["instances"])
        return {"wall": wall, "instances": [(end - start) / wall for start, end in instances],
                "waited": (after["waited"] - before["waited"]) / wall,
                "nginx": (after["nginx"] - before["nginx"]) / wall,
                "client": (after["client"] - before["client"]) / wall,
                "postgres": postgres / wall,
                "cores": [(after["cores"][core] - before["cores"][core]) / wall
                          for core in sorted(after["cores"])]}


async def open_loop(sessions, url, residents, ids, rate, seconds, arrivals, rng):
    """Start requests at ``rate`` per second for ``seconds`` whatever the answers (Poisson or
    evenly spaced arrivals), then wait for every answer. Each arrival is a resident drawn at
    random among those not waiting for an answer (a person does one thing at a time); if
    every resident is waiting, the arrival counts as an error."""
    stats = Stats()
    tasks = []
    started = due = time.monotonic()
    while True:
        due += rng.expovariate(rate) if arrivals == "poisson" else 1 / rate
        if due >= started + seconds:
            break
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        resident = idle_resident(residents, rng)
        if resident is None:
            stats.errors["client: every resident busy"] += 1
            continue
        tasks.append(asyncio.create_task(act(sessions[resident.index % NETWORKS], url,
                                             resident, ids, stats, planned=due)))
    await asyncio.gather(*tasks)
    answered = sum(at <= started + seconds for at in stats.done_at)
    return stats, (len(tasks) / seconds, answered / seconds)


def idle_resident(residents, rng):
    """A resident drawn at random among those not waiting for an answer, or None."""
    for _ in range(20):
        resident = rng.choice(residents)
        if not resident.busy:
            return resident
    idle = [resident for resident in residents if not resident.busy]
    return rng.choice(idle) if idle else None


async def step_up(url, residents, ids, meter, args):
    """The warm-up, then each rate of ``args.rates`` in turn until one misses the target;
    returns [(rate, (sent/s, answered/s), stats, cores used, load average)]."""
    rng = random.Random(19)
    sessions = client_sessions()
    steps = []
    try:
        if args.warmup:
            await open_loop(sessions, url, residents, ids, args.rates[0], args.warmup,
                            args.arrivals, rng)
        for rate in args.rates:
            await asyncio.sleep(2)  # a breath between steps: the last one's tail is over
            before = meter.read()
            stats, rates = await open_loop(sessions, url, residents, ids, rate,
                                              args.step_seconds, args.arrivals, rng)
            steps.append((rate, rates, stats, Meter.cores_used(before, meter.read()),
                          load()))
            print_step(*steps[-1], header=len(steps) == 1)
            if not passes(stats):
                break
    finally:
        for session in sessions:
            await session.close()
    return steps


def passes(stats):
    """The target: p95 under 300 ms and no errors (a lost accept race is not an error)."""
    every = [ms for values in stats.latency.values() for ms in values]
    return percentile(every, 95) < 300 and not stats.errors


def print_step(rate, rates, stats, used, load_average, header=False):
    every = [ms for values in stats.latency.values() for ms in values]
    if header:
        print(f"  {'offered':>7} {'sent':>6} {'answered':>8} {'p50':>7} {'p95':>7} {'p99':>7} "
              f"{'errors':>6} {'lost':>5} {'lag95':>6} {'instance':>9} {'ms/req':>6} "
              f"{'waited':>6} {'nginx':>5} {'client':>6} {'pg':>5} {'cores busy':>11} "
              f"{'load':>5}  result")
    instances = "/".join(f"{cores:.2f}" for cores in used["instances"])
    machine = "/".join(f"{cores:.2f}" for cores in used["cores"])
    sent, answered = rates
    print(f"  {rate:7.0f} {sent:6.1f} {answered:8.1f} {percentile(every, 50):6.0f}ms "
          f"{percentile(every, 95):6.0f}ms {percentile(every, 99):6.0f}ms "
          f"{sum(stats.errors.values()):6d} {stats.lost_races:5d} "
          f"{percentile(stats.lag, 95):4.0f}ms {instances:>9} {cpu_ms(used, len(every)):6.1f} "
          f"{used['waited']:6.2f} {used['nginx']:5.2f} {used['client']:6.2f} "
          f"{used['postgres']:5.2f} {machine:>11} {load_average:>5}  "
          f"{'pass' if passes(stats) else 'FAIL'}", flush=True)


def cpu_ms(used, requests):
    """The instances' CPU milliseconds per request answered."""
    return sum(used["instances"]) * used["wall"] * 1000 / requests if requests else 0.0


@contextmanager
def deployed(args, count, instance_cores=None, client_cores=None):
    """A database of its own, seeded; ``count`` instances (pinned to ``instance_cores``)
    behind nginx (on ``client_cores``); everything stopped and removed afterwards. Yields
    (database, instances, nginx, url, what ``seed`` returned)."""
    database = Database()
    workdir = Path(tempfile.mkdtemp(prefix="sharehut-load-"))
    instances = nginx = None
    try:
        env = app_env(database.url, REDIS)
        seeded = seed(env, args.users, args.open_orders)
        instances = Instances(env, count, cores=instance_cores, workdir=workdir)
        nginx, url = nginx_in_front(instances.ports, workdir, cores=client_cores or None)
        yield database, instances, nginx, url, seeded
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        if instances:
            instances.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        database.drop()


def capacity(args):
    """Open-loop steps on ``args.instances`` pinned instances; the highest passing rate."""
    cores = sorted(os.sched_getaffinity(0))
    instance_cores = cores[:args.instances]
    client_cores = cores[args.instances:]
    with deployed(args, args.instances, instance_cores, client_cores) as (
            database, instances, nginx, url, seeded):
        tokens, vote_id, community_id, talks = seeded
        if client_cores:
            os.sched_setaffinity(0, client_cores)
        shared = "any core (none is left: they share the instances' cores)"
        print(f"capacity: {args.instances} instance(s) on core(s) "
              f"{','.join(map(str, instance_cores))} (taskset), nginx and this client on "
              f"{','.join(map(str, client_cores)) or shared}, PostgreSQL and Redis unpinned; "
              f"{len(cores)} cores, {args.users} residents, "
              f"{args.arrivals} arrivals, {args.step_seconds} s per step after a "
              f"{args.warmup} s warm-up; load average {load()}", flush=True)
        residents = [Resident(i, token, talks[i]) for i, token in enumerate(tokens)]
        steps = asyncio.run(step_up(url, residents, (vote_id, community_id),
                                    Meter(instances, nginx, database), args))
        report_capacity(steps, args)
        if any(step[2].errors for step in steps):
            show_failures(instances.logs)


def report_capacity(steps, args):
    passed = [step for step in steps if passes(step[2])]
    if passed:
        rate, _rates, stats, _used, _load = passed[-1]
        print(f"  per action at {rate:.0f} req/s:", ", ".join(
            f"{action} p95 {percentile(values, 95):.0f} ms"
            for action, values in sorted(stats.latency.items())))
    if steps and not passes(steps[-1][2]):
        for problem, count in steps[-1][2].errors.most_common(5):
            print(f"  error at {steps[-1][0]:.0f} req/s: {problem}: {count}")
    if not passed:
        print("  capacity: no step passed")
        return
    if passes(steps[-1][2]):
        print("  (every step passed: raise --rates to find the limit)")
    best = passed[-1][0]
    per_resident = args.active_share / args.seconds_per_action
    per_core = best / args.instances
    print(f"  capacity: {best:.0f} req/s on {args.instances} instance(s) = {per_core:.0f} req/s "
          f"per core; at {args.active_share:.0%} of residents active at the evening peak, one "
          f"request every {args.seconds_per_action:.0f} s each ({per_resident:.4f} req/s per "
          f"resident): {per_core / per_resident:,.0f} residents per core")


def show_failures(logs, limit=2):
    """The first server-side failures the instances logged (a 500's traceback)."""
    for log in logs:
        text = log.read_text(errors="replace")
        for chunk in text.split("Traceback (most recent call last):")[1:limit + 1]:
            print(f"  {log.name}: Traceback" + chunk[:3000].rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0))
    parser.add_argument("--open-orders", type=int, default=200)
    parser.add_argument("--capacity", action="store_true",
                        help="open-loop steps on pinned instances instead of think time")
    parser.add_argument("--instances", type=int, default=1, help="instances (capacity)")
    parser.add_argument("--rates", type=lambda text: [float(r) for r in text.split(",")],
                        default=[20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 240, 280, 320,
                                 360, 400], help="offered req/s per step (capacity)")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--arrivals", choices=["poisson", "even"], default="poisson")
    parser.add_argument("--active-share", type=float, default=0.10,
                        help="share of residents active at the evening peak")
    parser.add_argument("--seconds-per-action", type=float, default=20.0,
                        help="seconds between two requests of an active resident")
    args = parser.parse_args()
    if args.capacity:
        return capacity(args)
    with deployed(args, 2) as (_database, instances, _nginx, url, seeded):
        tokens, vote_id, community_id, talks = seeded
        residents = [Resident(i, token, talks[i]) for i, token in enumerate(tokens)]
        stats, elapsed = asyncio.run(run_load(url, residents, (vote_id, community_id),
                                              args.seconds, tuple(args.think)))
        report(stats, elapsed, args.users, args.seconds)
        check_logs(instances.logs)


if __name__ == "__main__":
    main()
