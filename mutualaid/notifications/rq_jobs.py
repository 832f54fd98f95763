"""Scale-out delivery on RQ (Redis Queue): ``flask --app app notify-rq-worker``.

RQ because the deployment already runs Redis, its jobs are plain functions, and its
scheduler (``--with-scheduler``) covers the periodic sweep: no broker, no beat process, no
result backend to run (Celery), no extra scheduler package (Dramatiq). RQ only carries the
work: the deliveries themselves stay rows of the database (the persistent queue), so a job
lost with Redis is made up by the next sweep.

With ``NOTIFY_QUEUE_URL`` set, a commit that wrote notifications enqueues one job for them
(sent within a moment), and a sweep job that re-schedules itself every
``NOTIFY_SWEEP_SECONDS`` sends what is due later (quiet hours, retries) and runs the
periodic checks.
"""
import logging
from datetime import timedelta

from flask import current_app
from redis import Redis
from rq import Queue, SimpleWorker

QUEUE = "notifications"
SWEEP_ID = "notifications-sweep"
log = logging.getLogger(__name__)
_app = None


def queue_of(url):
    """The RQ queue of notifications on Redis at ``url``."""
    return Queue(QUEUE, connection=Redis.from_url(url))


def enqueue_for(notification_ids):
    """After a commit: ask the RQ workers to send these notifications' deliveries now."""
    url = current_app.config.get("NOTIFY_QUEUE_URL")
    if not url or not notification_ids:
        return
    try:
        queue_of(url).enqueue(deliver_notifications_job, list(notification_ids))
    except Exception:  # Redis away: the rows wait for the next sweep
        log.warning("could not enqueue deliveries", exc_info=True)


def _worker_app():
    """The app of this worker process (made once: RQ's SimpleWorker runs jobs in-process)."""
    global _app
    if _app is None:
        from mutualaid import create_app

        _app = create_app()
    return _app


def deliver_notifications_job(notification_ids):
    """Job: send the due deliveries of these notifications."""
    import sqlalchemy as sa

    from mutualaid.core.database import utcnow
    from mutualaid.core.extensions import db
    from mutualaid.notifications.delivery import deliver_batch
    from mutualaid.notifications.models import Delivery

    with _worker_app().app_context():
        ids = db.session.scalars(sa.select(Delivery.id).where(
            Delivery.notification_id.in_(notification_ids), Delivery.status == "pending",
            Delivery.due_at <= utcnow())).all()
        db.session.rollback()
        sent = deliver_batch(ids=ids)[1] if ids else 0
        db.session.remove()
        return sent


def sweep_job(interval):
    """Job: the periodic checks and every due delivery, then the next sweep in ``interval``."""
    from mutualaid.core.extensions import db
    from mutualaid.notifications.worker import run_once

    app = _worker_app()
    with app.app_context():
        try:
            return run_once()
        finally:
            db.session.remove()
            schedule_sweep(app.config["NOTIFY_QUEUE_URL"], interval)


def schedule_sweep(url, interval):
    """Schedule the (single) sweep job ``interval`` seconds from now."""
    queue_of(url).enqueue_in(timedelta(seconds=interval), sweep_job, interval, job_id=SWEEP_ID)


def run_worker(url, interval):
    """Start one RQ worker on the notifications queue, with the scheduler, and the sweep.
    Its jobs run in this process, on the app that started it (not a second one)."""
    global _app
    _app = current_app._get_current_object()
    queue = queue_of(url)
    queue.enqueue(sweep_job, interval, job_id=SWEEP_ID)
    SimpleWorker([queue], connection=queue.connection).work(with_scheduler=True)
