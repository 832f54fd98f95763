"""What the database benchmarks share: an app on a fresh schema, timing on fresh sessions,
one summary line per measure, and a count of the statements a piece of work sends."""
import gc
import statistics
import time
from contextlib import contextmanager

import sqlalchemy as sa

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db


def fresh_app(tmp, url=None, **settings):
    """An app on a fresh schema: a SQLite file (WAL, as the embedded server runs) in ``tmp``,
    or the database at ``url``; ``settings`` override the testing configuration."""
    config = TestingConfig(tmp)
    if url:
        config.SQLALCHEMY_DATABASE_URI = url
    for name, value in settings.items():
        setattr(config, name, value)
    app = create_app(config)
    gc.freeze()  # as app.py does after create_app: the collector skips what starting made
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def drop_schema():
    """Leave the database empty after a run. Only PostgreSQL's: a SQLite file goes with its
    temporary folder, and there DROP TABLE under foreign keys deletes row by row, each
    deleted appeal looked for in the unindexed ``appeals.merged_into_id`` by a full scan
    (quadratic: hours over 100,000 appeals)."""
    db.session.remove()  # its transaction would keep the drop waiting
    if db.engine.url.get_backend_name() != "sqlite":
        db.drop_all()
    db.engine.dispose()


def timed(fn, runs):
    """``(wall ms, process CPU ms)`` of ``fn()`` per run, each on a fresh session."""
    samples = []
    for _ in range(runs):
        db.session.remove()
        samples.append(measure(fn)[1])
    return samples


def measure(fn):
    """``(fn(), (wall ms, process CPU ms))`` of one call."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)


def summary(name, samples, width=34):
    """One line: wall median, p95 and max, and the CPU median (steady on a busy machine)."""
    ordered = sorted(wall for wall, _cpu in samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    cpu = statistics.median(cpu for _wall, cpu in samples)
    return (f"{name:{width}} median {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  "
            f"max {ordered[-1]:7.1f} ms  cpu median {cpu:7.1f} ms")


@contextmanager
def statements():
    """Count the statements sent to the database inside the block: ``with statements() as
    sent: ...; sent[0]``."""
    sent = [0]

    def count(*_args):
        sent[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
