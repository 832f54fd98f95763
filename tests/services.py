"""Real services the scale-out tests use. Outside CI a missing one skips; in CI it fails."""
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _database_per_worker(url):
    """Under pytest-xdist, each worker's own database (``test_gw0``...): ``postgres_app``
    drops and creates every table, which two workers must not do to one database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = sa.make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
        hide_password=False)


# How tests start a real server: "embedded" (``python app.py``, as a newcomer runs it) or
# "deploy" (deploy/gunicorn.conf.py's gevent worker after the migrations, beside a
# notification worker, as deploy/README.md runs an instance). ``make test`` runs both.
SERVER_MODE = os.environ.get("TEST_SERVER_MODE", "embedded")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
POSTGRES_URL = _database_per_worker(
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))


def in_ci():
    """True when CI=true: a missing service or tool fails the test instead of skipping it."""
    return os.environ.get("CI", "").lower() == "true"


def missing(message):
    """Skip, or with CI=true fail, for a service or tool that is not there."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def require_service(name, host, port):
    """Skip (or, with CI=true, fail) when nothing listens at host:port."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        missing(f"{name} is not reachable at {host}:{port}")


def require_postgres():
    """Skip (or, in CI, fail) unless the PostgreSQL of POSTGRES_URL answers."""
    url = sa.make_url(POSTGRES_URL)
    require_service("PostgreSQL", url.host or "127.0.0.1", url.port or 5432)


def require_redis():
    """Skip (or, in CI, fail) unless the Redis of REDIS_URL answers."""
    url = urlsplit(REDIS_URL)
    require_service("Redis", url.hostname or "127.0.0.1", url.port or 6379)


def require_program(name):
    """The path of the program ``name``; skips (or, in CI, fails) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed")
    return path


def create_worker_database():
    """Create POSTGRES_URL's database when it is a worker's own and missing (nothing when the
    server is down: the tests that need it skip or fail on their own)."""
    url = sa.make_url(POSTGRES_URL)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                       {"n": url.database})
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    except sa.exc.OperationalError:
        return  # PostgreSQL is away: require_postgres() skips (in CI, fails) the tests needing it
    finally:
        engine.dispose()


@contextmanager
def private_postgres_database(prefix):
    """A new PostgreSQL database on POSTGRES_URL's server, dropped afterwards: for tests
    whose server processes run migrations and must not share the ``test`` database."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    server = sa.make_url(POSTGRES_URL)
    engine = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A real server in child processes, started the way ``mode`` (default SERVER_MODE) says."""

    def __init__(self, env, port=None, mode=None):
        self.mode = mode or SERVER_MODE
        self.port = port or free_port()
        self.env = {**os.environ, **env, "PORT": str(self.port), "HOST": "127.0.0.1",
                    "BIND": f"127.0.0.1:{self.port}"}
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.processes = []  # every process of the server: kill() and stop() end them all
        self.log = None

    def start(self, timeout=60):
        """Start the server and wait until /healthz answers (whatever its status)."""
        # A file, not a pipe: a pipe nobody reads fills up and blocks the server's logging.
        self.log = tempfile.TemporaryFile()
        if self.mode == "deploy":
            self._start_deployed()
        else:
            self.process = self._spawn([sys.executable, "app.py"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-2000:]}")
            if self._answers():
                return self
            time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def _start_deployed(self):
        """Migrate (and seed the demo when asked), then gunicorn and a notification worker."""
        seed = self.env.get("SEED_DEMO", "1").strip().lower() in {"1", "true", "yes", "on"}
        prepare = ["seed-demo"] if seed else ["db", "upgrade"]
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", *prepare], cwd=ROOT,
                       env=self.env, stdout=self.log, stderr=subprocess.STDOUT, check=True,
                       timeout=120)
        self.process = self._spawn([GUNICORN, "-c", "deploy/gunicorn.conf.py", "app:app"])
        if self.env.get("NOTIFY_WORKER", "1") != "0":
            interval = self.env.get("NOTIFY_POLL_SECONDS", "1")
            self._spawn([sys.executable, "-m", "flask", "--app", "app", "notify-worker",
                         "--interval", interval])

    def _spawn(self, command):
        """Start one process of the server in a process group of its own (see ``kill``)."""
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def _answers(self):
        """True once an HTTP answer comes back from /healthz."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    def worker_pid(self):
        """The process serving requests: gunicorn's worker in deploy mode, else the server."""
        if self.mode != "deploy":
            return self.process.pid
        pid = self.process.pid
        return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])

    def kill(self):
        """SIGKILL every process of the server at once: a crash, no shutdown of any kind
        (gunicorn's worker dies with its arbiter)."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes:
            process.wait()

    def stop(self):
        """Stop the server (SIGTERM, then SIGKILL)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.log:
            self.log.close()
            self.log = None

    def output(self):
        """What the server has printed so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def cli(self, *args):
        """Run ``flask --app app ...`` against the same database; returns its stdout."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise RuntimeError(result.stderr)
        return result.stdout
