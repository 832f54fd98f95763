"""Scale-out delivery: a real ``flask notify-rq-worker`` (RQ on Redis) sends what a commit
enqueued at once, and its sweep sends what was never enqueued (Redis lost the job)."""
import os
import sqlite3
import subprocess
import sys
import time

import pytest
import redis

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db
from mutualaid.notifications import domain, push
from tests.factories import make_user
from tests.notifications.push_service import PushService
from tests.services import REDIS_URL, ROOT, require_service



def _wait(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.redis
def test_an_rq_worker_delivers_enqueued_and_swept_notifications(tmp_path):
    require_service("Redis", "127.0.0.1", 6379)
    redis.Redis.from_url(REDIS_URL).flushdb()
    service = PushService()
    database = tmp_path / "rq.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SEED_DEMO": "0",
           "SECRET_KEY": "rq-secret", "NOTIFY_QUEUE_URL": REDIS_URL,
           "PUSH_ALLOWED_HOSTS": service.host, "VAPID_PRIVATE_KEY": _key()}
    log = (tmp_path / "worker.log").open("wb")  # read it when this fails
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app",
                               "notify-rq-worker", "--sweep", "1"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: _migrated(database))
        config = TestingConfig(tmp_path)
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        config.NOTIFY_QUEUE_URL, config.PUSH_ALLOWED_HOSTS = REDIS_URL, service.host
        app = create_app(config)
        with app.app_context():
            user = make_user()
            domain.update_settings(user, {"quiet_hours": None})
            subscription = service.subscription()
            push.subscribe(user, subscription["endpoint"], subscription["keys"]["p256dh"],
                           subscription["keys"]["auth"])
            # ids read before the commit: reading after it would hold SQLite's write lock
            enqueued = domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")[0].id
            db.session.commit()
            _wait(lambda: [e["payload"]["id"] for e in service.received] == [enqueued])
            app.config["NOTIFY_QUEUE_URL"] = None  # as if Redis had lost the job
            swept = domain.notify([user], "vote.opened", {"title": "Roof"}, "/votes/2")[0].id
            db.session.commit()
            _wait(lambda: len(service.received) == 2)
            assert [e["payload"]["id"] for e in service.received] == [enqueued, swept]
            assert service.rejected == []
            db.session.remove()
            db.engine.dispose()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        log.close()
        service.close()


def _migrated(database):
    try:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    except sqlite3.Error:
        return False


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec

    from mutualaid.notifications.push import _b64

    key = ec.generate_private_key(ec.SECP256R1())
    return _b64(key.private_numbers().private_value.to_bytes(32, "big"))
