"""Benchmark of notification fan-out and of the ``order.nearby`` cost to a request.

    .venv/bin/python bench/notifications.py [--sizes 1000,10000] [--senders 4]

Fan-out: a community of N verified residents who chose the ``elderly`` audience, each with
a push subscription at a push service on loopback (the tests' receiver, in a process of its
own: it verifies every VAPID JWT and decrypts every aes128gcm body, as a browser's push
service would). Staff add a
session of an ``elderly`` service; the bench times writing every inbox row (and delivery
row), then one delivery worker sending them all (``deliver_due``, as the worker's loop runs
it, with ``--senders`` sender threads: ``NOTIFY_SENDERS``), and checks that every
notification arrived exactly once. Wall times on a shared machine move with its load: the
CPU time of the worker (all its threads) and of the push service are reported too.

Nearby: POST /api/v1/orders with 1,000 candidate helpers around the order, with the
after-commit ``order.nearby`` fan-out on (a background thread) and off, p50/p95 per request.
"""
import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from mutualaid import create_app  # noqa: E402
from mutualaid.accounts.models import StaffMembership, User  # noqa: E402
from mutualaid.accounts.secrets import hash_secret  # noqa: E402
from mutualaid.core.config import Config  # noqa: E402
from mutualaid.core.database import utcnow  # noqa: E402
from mutualaid.core.extensions import db  # noqa: E402
from mutualaid.notifications import delivery  # noqa: E402
from mutualaid.notifications.models import (  # noqa: E402
    Delivery, Notification, NotificationSettings, PushSubscription,
)
from mutualaid.places.models import Building, Community, Unit  # noqa: E402
from tests.notifications.push_service import PushService  # noqa: E402


class BenchConfig(Config):
    def __init__(self, directory, **settings):
        super().__init__(directory)
        self.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        self.SEED_DEMO = False
        self.RATELIMIT_ENABLED = False
        self.SQLITE_BUSY_TIMEOUT = 60  # eight senders share one SQLite writer
        self.__dict__.update(settings)


def _people(count, building, password_hash, audiences=("elderly",)):
    """``count`` verified residents of ``building`` (core inserts: fast); their ids."""
    unit = Unit(building_id=building.id, number="101", area_hundredths=6000, floor=1)
    db.session.add(unit)
    db.session.flush()
    now = utcnow()
    first = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    db.session.execute(sa.insert(User), [dict(
        username=f"r{first + i}", display_name=f"Resident {i}", phone="13800000000",
        password_hash=password_hash, role="resident", active=True, unit_id=unit.id,
        relation="tenant", verified_at=now, vulnerable=False, vetted=False, pin_failures=0,
        session_version=0, created_at=now) for i in range(count)])
    ids = list(range(first, first + count))
    db.session.execute(sa.insert(NotificationSettings), [dict(
        user_id=user_id, push=True, sms=False, kinds={}, quiet_start=None, quiet_end=None,
        audiences=list(audiences)) for user_id in ids])
    return ids


def _peer(connection, size):
    """The push service, in a process of its own (its checks must not share our CPU time)."""
    peer = PushService()
    connection.send((peer.host, [peer.subscription() for _ in range(size)]))
    connection.recv()  # asked for what arrived
    connection.send(([entry["payload"]["id"] for entry in peer.received], peer.rejected,
                     time.process_time()))
    peer.close()


class RemotePeer:
    """The parent's handle on the push service process."""

    def __init__(self, size):
        self.connection, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_peer, args=(child, size), daemon=True)
        self.process.start()
        self.host, self.subscriptions = self.connection.recv()

    def results(self):
        """``(notification ids received, rejections, its CPU seconds)``; ends the process."""
        self.connection.send("results")
        received = self.connection.recv()
        self.process.join(10)
        return received


def fan_out(size, senders):
    """Publish a session to ``size`` residents and deliver every push; returns the figures."""
    from mutualaid.catalogue import domain as catalogue
    from mutualaid.catalogue.models import Service

    service_peer = RemotePeer(size)
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(BenchConfig(directory, PUSH_ALLOWED_HOSTS=service_peer.host,
                                     NOTIFY_SENDERS=senders))
        with app.app_context():
            db.create_all()
            community = Community(name="Bench")
            db.session.add(community)
            db.session.flush()
            building = Building(community_id=community.id, name="B", lat=23.02, lon=113.11)
            staff = User(username="staff", display_name="Staff", password_hash="x",
                         role="staff")
            db.session.add_all([building, staff])
            db.session.flush()
            db.session.add(StaffMembership(user_id=staff.id, community_id=community.id))
            ids = _people(size, building, hash_secret("bench-password"))
            subscriptions = service_peer.subscriptions
            db.session.execute(sa.insert(PushSubscription), [dict(
                user_id=user_id, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"],
                auth=sub["keys"]["auth"], created_at=utcnow())
                for user_id, sub in zip(ids, subscriptions)])
            service = Service(community_id=community.id, title="老人理发 Haircuts",
                              provider="Street centre", category="care", audience="elderly")
            db.session.add(service)
            db.session.commit()

            started = time.perf_counter()
            catalogue.add_session(staff, service, utcnow() + timedelta(days=1), 60, 20, "Hut")
            db.session.commit()
            written = time.perf_counter() - started
            rows = db.session.scalar(sa.select(sa.func.count(Notification.id)))
            pending = db.session.scalar(sa.select(sa.func.count(Delivery.id)))
            db.session.remove()

            sent_started, cpu_started = time.perf_counter(), time.process_time()
            delivery.deliver_due()
            db.session.remove()
            sent = time.perf_counter() - sent_started
            sent_cpu = time.process_time() - cpu_started
            received, rejected, peer_cpu = service_peer.results()
            left = db.session.scalar(sa.select(sa.func.count(Delivery.id)).where(
                Delivery.status != "sent"))
            db.session.remove()
            db.engine.dispose()
    assert len(received) == len(set(received)) == rows == size, (len(received), rows)
    assert left == 0 and not rejected
    return {"size": size, "rows": rows, "deliveries": pending, "write_s": written,
            "send_s": sent, "send_cpu_s": sent_cpu, "peer_cpu_s": peer_cpu,
            "total_s": written + sent, "per_s": size / (written + sent)}


def nearby_cost(helpers=1000, requests_=60):
    """p50/p95 of POST /orders with ``helpers`` candidates, the nearby fan-out on and off."""
    from mutualaid.accounts.domain import issue_token
    from mutualaid.matching.models import UserSkill
    from mutualaid.notifications import background
    from mutualaid.orders import domain as orders_domain

    figures = {}
    for label, enabled in (("on", True), ("off", False), ("on again", True)):
        with tempfile.TemporaryDirectory() as directory:
            app = create_app(BenchConfig(directory, NOTIFY_BACKGROUND=True))
            with app.app_context():
                db.create_all()
                community = Community(name="Bench")
                db.session.add(community)
                db.session.flush()
                building = Building(community_id=community.id, name="B", lat=23.02,
                                    lon=113.11)
                db.session.add(building)
                db.session.flush()
                ids = _people(helpers + 1, building, "x")
                db.session.execute(sa.insert(UserSkill), [dict(
                    user_id=i, tag="repair", lat=23.02, lon=113.11, radius_m=1000)
                    for i in ids[1:]])
                token = issue_token(db.session.get(User, ids[0]))
                db.session.commit()
                db.session.remove()
            client = app.test_client()  # each request in an app context of its own
            kept = orders_domain.after_commit
            if not enabled:
                orders_domain.after_commit = lambda *args, **kwargs: None
            timings = []
            try:
                for i in range(requests_):
                    started = time.perf_counter()
                    answer = client.post("/api/v1/orders", json={
                        "title": f"Tap {i}", "tags": ["repair.plumbing"]},
                        headers={"Authorization": f"Bearer {token}"})
                    timings.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 201, answer.text
                    background.wait()  # the fan-out runs between requests, as it would
            finally:
                orders_domain.after_commit = kept
            with app.app_context():
                nearby = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
                    Notification.kind == "order.nearby"))
                db.session.remove()
                db.engine.dispose()
        timings.sort()
        figures[label] = {"p50_ms": statistics.median(timings),
                          "p95_ms": timings[int(len(timings) * 0.95) - 1], "nearby": nearby}
    return figures


def load():
    """The machine's load averages (1, 5, 15 min), to read the wall times against."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--skip-nearby", action="store_true")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        result = fan_out(size, args.senders)
        print(f"fan-out {result['size']:>6}: rows+deliveries written {result['write_s']:.2f} s, "
              f"all pushed in {result['send_s']:.2f} s (worker CPU {result['send_cpu_s']:.2f} s,"
              f" push service CPU {result['peer_cpu_s']:.2f} s), total {result['total_s']:.2f} s,"
              f" {result['per_s']:.0f}/s, each once; load average {load()}", flush=True)
    if not args.skip_nearby:
        for label, figures in nearby_cost().items():
            print(f"POST /orders, 1,000 candidates, nearby {label}: p50 {figures['p50_ms']:.1f} ms, "
                  f"p95 {figures['p95_ms']:.1f} ms ({figures['nearby']} order.nearby written)")


if __name__ == "__main__":
    main()
