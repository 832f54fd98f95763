"""Realtime benchmark (issue 4). Writes nothing to the repository; prints the figures.

    python bench/realtime.py                 # everything below
    python bench/realtime.py --part latency  # 500 clients, 200 new orders, 1 and 2 processes
    python bench/realtime.py --part http     # board API vs a bare Flask endpoint (nginx, gunicorn)
    python bench/realtime.py --part scale    # 1,000 / 2,500 / 5,000 sockets on one instance
    python bench/realtime.py --part scale --sizes 10000 --instances 2   # through Redis

Latency: ``--clients`` authenticated Socket.IO clients (each its own user and token, websocket
transport, python-socketio's asyncio client in this process) sit in one community room (their
home room); ``--changes`` orders are posted one by one through the REST API (``--rate`` per
second); each ``order.created`` is timed from the order's ``created_at`` (stamped in the
transaction, just before the commit) to its receipt by each client; ``sent→receipt`` (from
before the POST) is an upper bound. First on one gunicorn instance, then on two instances
sharing PostgreSQL and a Redis message queue, clients split between them, orders posted to
the first.

Scale: one gunicorn instance of deploy/gunicorn.conf.py (gevent worker) per ``--sizes`` entry
(or ``--instances 2`` sharing PostgreSQL and Redis, clients split between them); that many
authenticated clients (python-socketio's AsyncClient, websocket transport) in one community
room, spread over ``--client-processes`` asyncio processes so that one Python process's core
is not the client's limit. ``--changes`` orders are posted at ``--rate`` per second; each
``order.created`` is timed from its commit (``created_at``) to each receipt. Reported: the
receipts, p50/p99/max, the server worker's resident memory before and after the clients
connected (so the memory per socket), the CPU the server and the clients used while the
orders fanned out, and the load average.

HTTP: two single-worker gunicorn instances (deploy/gunicorn.conf.py) behind nginx
(deploy/nginx.conf, ports rewritten), loaded with wrk on loopback, each request claiming one
of 16 client networks so that ip_hash spreads them over both instances:
``GET /api/v1/communities/<id>/board`` (a token, the community board of open orders, served
from its per-process cache) against bench/bare_app.py (a constant JSON answer at the same
path) on an identical setup running beside it; the two are loaded in turn, ``--rounds`` of
``--seconds`` each, and the ratio is the median of the rounds' ratios.

Needs PostgreSQL (BENCH_POSTGRES_URL, a server where databases may be created; a database
is created and dropped per run), Redis (BENCH_REDIS_URL), nginx and wrk on PATH, aiohttp.
"""
import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import aiohttp
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, timeout=30):
    """Poll ``url`` until it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


class Database:
    """A PostgreSQL database of its own for the run."""

    def __init__(self):
        self.name = f"sharehut_bench_{uuid.uuid4().hex[:8]}"
        server = sa.make_url(PG)
        self.admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.url = server.set(database=self.name).render_as_string(hide_password=False)

    def drop(self):
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


class Instances:
    """``count`` gunicorn instances of ``app`` (deploy/gunicorn.conf.py, its gevent worker, as
    run). With ``cores``, instance i runs on core ``cores[i]`` alone (taskset: its arbiter and
    worker); with ``workdir``, each one's log goes to a file there (``logs``)."""

    def __init__(self, env, count, app="app:app", cores=None, workdir=None):
        self.ports = [free_port() for _ in range(count)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.logs = [workdir / f"instance-{i}.log" for i in range(count)] if workdir else []
        self.processes = []
        for index, port in enumerate(self.ports):
            pin = ["taskset", "-c", str(cores[index])] if cores else []  # execs: same pid
            output = open(self.logs[index], "wb") if workdir else subprocess.DEVNULL
            self.processes.append(subprocess.Popen(
                pin + [GUNICORN, "-c", "deploy/gunicorn.conf.py", app], cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{port}",
                     **({} if workdir else {"LOG_LEVEL": "warning"})},
                stdout=output, stderr=subprocess.STDOUT))
        for url in self.urls:
            wait_for(url + "/healthz")

    def pids(self):
        """Each instance's arbiter and worker."""
        return [[process.pid, worker_of(process.pid)] for process in self.processes]

    def cpu_seconds(self):
        """CPU time used so far by each instance's worker process."""
        return [cpu_seconds(worker_of(process.pid)) for process in self.processes]

    def rss_mib(self):
        """Resident memory of each instance's worker process, in MiB."""
        return [_rss_kib(worker_of(process.pid)) / 1024 for process in self.processes]

    def stop(self):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def worker_of(pid):
    """The gunicorn worker process forked by the arbiter ``pid``."""
    return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss_kib(pid):
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmRSS:"))
    return int(line.split()[1])


def app_env(database_url, queue=None):
    """The environment every instance (and the seeding) shares."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret",
           "SEED_DEMO": "0", "RATELIMIT_ENABLED": "0",
           "SOCKETIO_CHANNEL": f"sharehut-bench-{uuid.uuid4().hex}"}
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    if queue:
        env["SOCKETIO_MESSAGE_QUEUE"] = queue
    return env


def migrated_app(env):
    """Apply the migrations to the run's database; the app, in this process, on it."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY")})
    from mutualaid import create_app

    return create_app()


def seed(env, clients):
    """Migrate; one community, one building; ``clients`` verified residents with tokens, and a
    requester. Returns (requester token, [client tokens])."""
    from mutualaid.accounts import domain as accounts
    from mutualaid.core.extensions import db
    from tests.factories import make_building, make_unit, make_user

    with migrated_app(env).app_context():
        building = make_building()
        requester = make_user("bench-requester", verified=True, unit=make_unit(building, "101"))
        tokens = []
        for index in range(clients):
            unit = make_unit(building, f"{index // 20 + 2}{index % 20 + 1:02d}")
            tokens.append(accounts.issue_token(make_user(f"bench{index}", verified=True,
                                                         unit=unit)))
        requester_token = accounts.issue_token(requester)
        db.session.commit()
        db.engine.dispose()
    return requester_token, tokens


def percentile(values, q):
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def measure(urls, tokens, requester_token, changes, rate):
    """Connect the clients (round-robin over ``urls``), post the orders to ``urls[0]``, and
    return the per-receipt latencies (ms) from created_at and from the POST."""
    import socketio

    received = {}  # order id -> [receipt times]
    clients = []

    def handler(_payload_holder=None):
        async def on_created(payload):
            received.setdefault(payload["id"], []).append(time.time())
        return on_created

    limit = asyncio.Semaphore(50)

    async def open_client(index, token):
        client = socketio.AsyncClient(reconnection=False)
        client.on("order.created", handler())
        async with limit:
            await client.connect(urls[index % len(urls)], auth={"token": token},
                                 transports=["websocket"], wait_timeout=30)
        clients.append(client)

    await asyncio.gather(*(open_client(i, t) for i, t in enumerate(tokens)))
    await asyncio.sleep(1)
    sent, created = {}, {}
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {requester_token}"
    loop = asyncio.get_running_loop()
    for index in range(changes):
        started = time.time()
        response = await loop.run_in_executor(None, lambda i=index: session.post(
            urls[0] + "/api/v1/orders",
            json={"title": f"bench order {i}", "tags": ["errands.shopping"]}, timeout=30))
        order = response.json()
        assert response.status_code == 201, response.text
        sent[order["id"]] = started
        created[order["id"]] = datetime.fromisoformat(order["created_at"]).timestamp()
        await asyncio.sleep(max(0.0, 1 / rate - (time.time() - started)))
    deadline = time.time() + 15
    while time.time() < deadline and sum(map(len, received.values())) < changes * len(tokens):
        await asyncio.sleep(0.2)
    await asyncio.gather(*(client.disconnect() for client in clients))
    from_commit, from_send = [], []
    for order_id, times in received.items():
        from_commit += [(t - created[order_id]) * 1000 for t in times if order_id in created]
        from_send += [(t - sent[order_id]) * 1000 for t in times if order_id in sent]
    return from_commit, from_send, changes * len(tokens)


def load():
    """The machine's 1-minute load average (the figures depend on it: 2 shared cores)."""
    return f"{os.getloadavg()[0]:.1f}"


def latency(args):
    """Commit-to-receipt on one process, then across two through Redis."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))
    for count in (1, 2):
        database = Database()
        instances = None
        try:
            env = app_env(database.url, REDIS if count == 2 else None)
            requester_token, tokens = seed(env, args.clients)
            instances = Instances(env, count)
            from_commit, from_send, expected = asyncio.run(
                measure(instances.urls, tokens, requester_token, args.changes, args.rate))
            print(f"latency, {count} process(es), {args.clients} clients, {args.changes} orders: "
                  f"{len(from_commit)}/{expected} receipts; commit→receipt "
                  f"p50 {statistics.median(from_commit):.1f} ms, "
                  f"p99 {percentile(from_commit, 99):.1f} ms, max {max(from_commit):.1f} ms; "
                  f"sent→receipt p50 {statistics.median(from_send):.1f} ms, "
                  f"p99 {percentile(from_send, 99):.1f} ms; load average {load()}", flush=True)
        finally:
            if instances:
                instances.stop()
            database.drop()


NGINX_MAIN = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    # wrk connects from one address, which ip_hash would send to one instance: the http part
    # has each request claim one of several client networks in X-Forwarded-For (trusted from
    # loopback only), as residents' own addresses would spread (bench/load.py binds 127.0.N.1).
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    include {dir}/sharehut.conf;
}}
"""


def nginx_in_front(ports, workdir, cores=None):
    """Start nginx with deploy/nginx.conf in front of ``ports`` (one upstream server each),
    on ``cores`` if given (taskset); returns (process, url)."""
    workdir.mkdir(exist_ok=True)
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = "\n".join(line for line in site.splitlines() if "server 127.0.0.1:8002" not in line)
    template = next(line for line in site.splitlines() if "server 127.0.0.1:8001" in line)
    site = site.replace(template, "\n".join(template.replace("8001", str(port))
                                            for port in ports))
    listen = free_port()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("access_log /var/log/nginx/sharehut.access.log sharehut;",
                        "access_log off;")  # measuring, not auditing
    (workdir / "sharehut.conf").write_text(site)
    (workdir / "nginx.conf").write_text(NGINX_MAIN.format(dir=workdir))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    pin = ["taskset", "-c", ",".join(map(str, cores))] if cores else []
    process = subprocess.Popen(pin + [nginx, "-p", str(workdir), "-c",
                                      str(workdir / "nginx.conf"), "-g", "daemon off;"],
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{listen}"
    wait_for(url + "/api/v1/orders")
    return process, url


# Each request in turn from one of 16 client networks (see NGINX_MAIN).
WRK_NETWORKS = """
local requests, i = {}, 0
function init(args)
  for n = 1, 16 do
    local headers = {["X-Forwarded-For"] = "10.0." .. n .. ".1"}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    requests[n] = wrk.format(nil, nil, headers)
  end
end
function request()
  i = i % 16 + 1
  return requests[i]
end
"""


def wrk(url, seconds, workdir, token=None):
    """Requests/s that wrk reaches on ``url`` (loopback, 2 threads, 32 connections)."""
    script = workdir / "networks.lua"
    script.write_text(WRK_NETWORKS)
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", str(script)]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("Requests/sec"))
    errors = [line for line in output.splitlines() if "Non-2xx" in line or "errors" in line]
    return float(line.split()[1]), errors


def http(args):
    """Board API vs bare Flask, each on 2 gunicorn instances behind its own nginx, all running
    at once and loaded in turn (``--rounds`` of ``--seconds`` each): the machine's speed drifts
    over minutes, and alternating short rounds keeps that drift out of the ratio."""
    database = Database()
    workdir = Path(tempfile.mkdtemp(prefix="sharehut-nginx-"))
    setups = {}
    try:
        env = app_env(database.url, REDIS)
        requester_token, _tokens = seed(env, 1)
        for name, app, token in (("board", "app:app", requester_token),
                                 ("bare", "bench.bare_app:app", None)):
            instances = Instances(env, 2, app=app)
            setups[name] = {"instances": instances, "token": token, "rounds": [], "cpu": []}
            if name == "board":
                community_id = post_board_orders(instances.urls[0], requester_token,
                                                 args.board_orders)
            setups[name]["nginx"], url = nginx_in_front(instances.ports, workdir / name)
            setups[name]["url"] = url + f"/api/v1/communities/{community_id}/board"
            wrk(setups[name]["url"], 2, workdir, token)  # warm up
        errors = []
        for _round in range(args.rounds):
            for setup in setups.values():
                before = setup["instances"].cpu_seconds()
                rate, round_errors = wrk(setup["url"], args.seconds, workdir, setup["token"])
                setup["rounds"].append(rate)
                setup["cpu"].append([(after - start) / args.seconds for start, after
                                     in zip(before, setup["instances"].cpu_seconds())])
                errors += round_errors
        report_http(setups, args, errors)
    finally:
        for setup in setups.values():
            if "nginx" in setup:
                setup["nginx"].terminate()
                setup["nginx"].wait()
            setup["instances"].stop()
        shutil.rmtree(workdir, ignore_errors=True)
        database.drop()


def post_board_orders(url, token, count):
    """Post ``count`` open orders as the requester; returns their community's id."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    for index in range(count):
        posted = session.post(url + "/api/v1/orders", timeout=30,
                              json={"title": f"board {index}", "tags": ["errands"]})
    return posted.json()["community_id"]


def report_http(setups, args, errors):
    board, bare = setups["board"]["rounds"], setups["bare"]["rounds"]
    ratios = [b / a for b, a in zip(board, bare)]
    cores = {name: "/".join(f"{statistics.mean(c):.2f}" for c in zip(*setup["cpu"]))
             for name, setup in setups.items()}
    print(f"http, nginx + 2 gunicorn (1 worker, gthread), {args.rounds} alternating rounds of "
          f"{args.seconds} s: board API (the community board: 50 of {args.board_orders} open "
          f"orders, BOARD_CACHE_SECONDS default) median {statistics.median(board):.0f} req/s "
          f"({min(board):.0f}-{max(board):.0f}), bare Flask median "
          f"{statistics.median(bare):.0f} req/s ({min(bare):.0f}-{max(bare):.0f}); ratio per "
          f"round {', '.join(f'{r:.2f}' for r in ratios)}: median "
          f"{statistics.median(ratios):.2f}; CPU cores used by each instance's worker: board "
          f"{cores['board']}, bare {cores['bare']}; wrk errors: {errors or 'none'}; "
          f"load average {load()}", flush=True)


def client_process(urls, tokens, offset, pipe, lean=False):
    """A load client in a process of its own: connect ``tokens`` (round-robin over ``urls``
    from ``offset``), report, record every ``order.created`` receipt until told to stop, then
    send back the receipts and the CPU seconds this process spent while they arrived. With
    ``lean``, each socket is a ``LeanSocket`` instead of python-socketio's client."""
    import logging

    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))
    # Engine.IO's client logs each socket closed at the end ("packet queue is empty").
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    asyncio.run(_client_main(urls, tokens, offset, pipe, lean))


class LeanSocket:
    """The least a Socket.IO client does, over one aiohttp websocket (Engine.IO 4): the
    handshake with the token, a pong for each ping, and ``order.created`` timed as its frame
    is read. python-socketio's client spends about 0.1 ms of CPU on each event, which on a
    shared core delays the last of 5,000 receipts by half a second; this spends a fraction."""

    CREATED = '42["order.created",'

    def __init__(self, session, on_created, on_disconnect):
        self.session, self.on_created, self.on_disconnect = session, on_created, on_disconnect
        self.ws = self.reader = None
        self.closing = False

    async def connect(self, url, token):
        ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.session.ws_connect(ws_url, timeout=60, autoping=False)
        opened = await self.ws.receive_str(timeout=60)
        if not opened.startswith("0"):
            raise RuntimeError(f"no Engine.IO open: {opened[:80]}")
        await self.ws.send_str("40" + json.dumps({"token": token}))
        answer = await self.ws.receive_str(timeout=60)
        if not answer.startswith("40"):
            raise RuntimeError(f"refused: {answer[:80]}")
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            if message.data == "2":
                await self.ws.send_str("3")
            elif message.data.startswith(self.CREATED):
                at = time.time()
                self.on_created(json.loads(message.data[2:])[1], at)
        if not self.closing:
            await self.on_disconnect("closed by the server")

    async def disconnect(self):
        self.closing = True
        await self.ws.close()


def _cpu_now():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _client_main(urls, tokens, offset, pipe, lean=False):
    import socketio

    receipts, clients, failures, dropped = [], [], [], []
    limit = asyncio.Semaphore(50)  # connects in flight from this process
    # no connector limit: each open websocket holds one of its connections (default 100)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) if lean else None

    def received(payload, at):
        receipts.append((payload["id"], at))

    async def on_created(payload):
        received(payload, time.time())

    async def on_disconnect(reason=None):  # a missed ping under a starved CPU, say
        dropped.append(reason)

    async def connect(url, token):
        if lean:
            client = LeanSocket(session, received, on_disconnect)
            await client.connect(url, token)
            return client
        client = socketio.AsyncClient(reconnection=False)
        client.on("order.created", on_created)
        client.on("disconnect", on_disconnect)
        await client.connect(url, auth={"token": token}, transports=["websocket"],
                             wait_timeout=60)
        return client

    async def open_client(index, token):
        url = urls[(offset + index) % len(urls)]
        for attempt in range(3):  # as a phone would: try again after a failed connect
            try:
                async with limit:
                    client = await connect(url, token)
                clients.append(client)
                return
            except Exception as error:  # counted and reported: a refused socket is a result
                failures.append(repr(error))
                await asyncio.sleep(1 + attempt)

    started, cpu_started = time.monotonic(), _cpu_now()
    await asyncio.gather(*(open_client(i, t) for i, t in enumerate(tokens)))
    pipe.send(("connected", len(clients), failures[:3], len(failures),
               time.monotonic() - started, _cpu_now() - cpu_started))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, pipe.recv)  # "measure": the orders are about to come
    cpu_before = _cpu_now()
    dropped_before = len(dropped)
    while await loop.run_in_executor(None, pipe.recv) == "count":  # until "stop"
        pipe.send(len(receipts))
    cpu = _cpu_now() - cpu_before
    lost = (dropped_before, len(dropped) - dropped_before)
    await asyncio.gather(*(client.disconnect() for client in clients),
                         return_exceptions=True)
    if session:
        await session.close()
    pipe.send(("done", receipts, cpu, lost))


def scale(args):
    """Many sockets on one instance (or two through Redis): commit→receipt, memory per
    socket, and the CPU of the server and of the load client, for each of ``--sizes``."""
    import multiprocessing

    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))
    sizes = [int(size) for size in args.sizes.split(",")]
    database = Database()
    try:
        env = app_env(database.url, REDIS if args.instances > 1 else None)
        requester_token, tokens = seed(env, max(sizes))
        for size in sizes:
            scale_run(multiprocessing.get_context("spawn"), env, args, requester_token,
                      tokens[:size])
    finally:
        database.drop()


def scale_run(context, env, args, requester_token, tokens):
    """One size: a fresh instance (or two), the clients, the orders, the figures. With
    ``--pin``, instance i runs on core i alone and the clients on the cores left (PostgreSQL
    and Redis where the system puts them)."""
    instance_cores, client_cores = pinned_cores(args.instances) if args.pin else (None, None)
    instances = Instances(env, args.instances, cores=instance_cores)
    workers, pipes = [], []
    try:
        requests.get(instances.urls[0] + "/healthz", timeout=10)
        rss_before = instances.rss_mib()
        connect_cpu = instances.cpu_seconds()
        share = -(-len(tokens) // args.client_processes)
        for number in range(args.client_processes):
            ours, theirs = context.Pipe()
            part = tokens[number * share:(number + 1) * share]
            workers.append(context.Process(target=client_process, daemon=True, args=(
                instances.urls, part, number * share, theirs, args.lean_clients)))
            workers[-1].start()
            if client_cores:
                os.sched_setaffinity(workers[-1].pid, client_cores)
            pipes.append(ours)
        connected = [pipe.recv() for pipe in pipes]
        time.sleep(2)  # let the last handshakes settle before reading the memory
        rss_after = instances.rss_mib()
        connect_cpu = sum(instances.cpu_seconds()) - sum(connect_cpu)
        for pipe in pipes:
            pipe.send("measure")
        server_cpu = instances.cpu_seconds()
        started = time.monotonic()
        created = post_orders(instances.urls[0], requester_token, args.changes, args.rate)
        expected = sum(count for _tag, count, *_rest in connected) * args.changes
        settle(pipes, expected)
        elapsed = time.monotonic() - started
        server_cpu = [after - before for before, after in zip(server_cpu,
                                                              instances.cpu_seconds())]
        for pipe in pipes:
            pipe.send("stop")
        results = [pipe.recv() for pipe in pipes]
    finally:
        for worker in workers:
            worker.join(timeout=60)
        instances.stop()
    report_scale(args, len(tokens), connected, results, created, expected,
                 rss_before, rss_after, (connect_cpu, server_cpu), elapsed)


def pinned_cores(count):
    """Cores for ``count`` instances (one each, from 0) and for the load clients (the rest)."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) <= count:
        raise SystemExit(f"--pin needs more than {count} cores for {count} instance(s)")
    return cores[:count], set(cores[count:])


def post_orders(url, token, changes, rate):
    """Post ``changes`` orders at ``rate`` per second; returns {order id: commit time}."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    created = {}
    for index in range(changes):
        started = time.time()
        response = session.post(url + "/api/v1/orders", timeout=60, json={
            "title": f"scale order {index}", "tags": ["errands.shopping"]})
        assert response.status_code == 201, response.text
        order = response.json()
        created[order["id"]] = datetime.fromisoformat(order["created_at"]).timestamp()
        time.sleep(max(0.0, 1 / rate - (time.time() - started)))
    return created


def settle(pipes, expected, timeout=20):
    """Wait until the clients hold ``expected`` receipts, or ``timeout`` s have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pipe in pipes:
            pipe.send("count")
        if sum(pipe.recv() for pipe in pipes) >= expected:
            return
        time.sleep(0.2)


def report_scale(args, size, connected, results, created, expected, rss_before, rss_after,
                 server_cpu, elapsed):
    """One line of figures; CPU seconds as well as wall time, the machine being shared."""
    connect_cpu, fanout_cpu = server_cpu
    receipts = [receipt for result in results for receipt in result[1]]
    dropped = [sum(result[3][n] for result in results) for n in (0, 1)]
    latencies = [(at - created[order]) * 1000 for order, at in receipts if order in created]
    sockets = sum(entry[1] for entry in connected)
    failures = sum(entry[3] for entry in connected)
    sample = sorted({text for entry in connected for text in entry[2]})[:2]
    per_socket = (sum(rss_after) - sum(rss_before)) * 1024 / max(sockets, 1)
    print(f"scale, {args.instances} instance(s){' pinned' if args.pin else ''}, {size} "
          f"{'lean ' if args.lean_clients else ''}clients in "
          f"{args.client_processes} client processes: {sockets} connected in "
          f"{max(entry[4] for entry in connected):.0f} s ({failures} failed attempts, retried"
          f"{': ' + '; '.join(sample) if sample else ''}); server CPU "
          f"{connect_cpu * 1000 / max(sockets, 1):.1f} ms per connect, clients "
          f"{sum(entry[5] for entry in connected) * 1000 / max(sockets, 1):.1f} ms; "
          f"sockets dropped before the orders {dropped[0]}, during them {dropped[1]}; "
          f"{args.changes} orders at {args.rate}/s: {len(latencies)}/{expected} receipts; "
          f"commit→receipt p50 {statistics.median(latencies):.0f} ms, p99 "
          f"{percentile(latencies, 99):.0f} ms, max {max(latencies):.0f} ms; server worker RSS "
          f"{'+'.join(f'{mib:.0f}' for mib in rss_before)} → "
          f"{'+'.join(f'{mib:.0f}' for mib in rss_after)} MiB ({per_socket:.1f} KiB per "
          f"socket); CPU while the orders fanned out ({elapsed:.0f} s): server "
          f"{'/'.join(f'{cpu / elapsed:.2f}' for cpu in fanout_cpu)} cores = "
          f"{sum(fanout_cpu) * 1000 / args.changes:.0f} ms per order, clients "
          f"{'/'.join(f'{result[2] / elapsed:.2f}' for result in results)} cores = "
          f"{sum(result[2] for result in results) * 1000 / args.changes:.0f} ms per "
          f"order; load average {load()}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["latency", "http", "scale", "all"], default="all")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--changes", type=int, help="orders posted (latency 200, scale 30)")
    parser.add_argument("--rate", type=float, help="orders per second (latency 20, scale 1)")
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration of a round")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per app (http part)")
    parser.add_argument("--board-orders", type=int, default=200)
    parser.add_argument("--sizes", default="1000,2500,5000", help="clients per scale run")
    parser.add_argument("--instances", type=int, default=1, help="instances (scale part)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--lean-clients", action="store_true",
                        help="scale part: a bare Engine.IO client per socket (less client CPU)")
    parser.add_argument("--pin", action="store_true",
                        help="scale part: instance i on core i alone, the clients on the rest")
    args = parser.parse_args()
    if args.part in ("latency", "all"):
        latency(argparse.Namespace(**{**vars(args), "changes": args.changes or 200,
                                      "rate": args.rate or 20.0}))
    if args.part in ("http", "all"):
        http(args)
    if args.part in ("scale", "all"):
        scale(argparse.Namespace(**{**vars(args), "changes": args.changes or 30,
                                    "rate": args.rate or 1.0}))


if __name__ == "__main__":
    main()
