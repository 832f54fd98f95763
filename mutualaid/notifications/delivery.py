"""The persistent delivery queue: pending rows of ``notification_deliveries`` sent after the
commit, at least once, by whichever worker claims them.

A worker claims a batch of due rows with one conditional UPDATE that moves their ``due_at`` a
lease ahead, commits, sends, then marks them sent. Killed between the claim and the mark, the row
falls due again when the lease ends and is sent again: at least once. Repeats are harmless
(a push carries the notification id as its tag, the SMS outbox keeps one row per
notification, the http gateway gets the id). Failures retry with backoff, then give up.
"""
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.notifications.domain import reader_locale
from mutualaid.notifications.kinds import render_all
from mutualaid.notifications.models import Delivery, Notification
from mutualaid.notifications.push import (
    PushFailed, forget_gone, payload_of, send_push, subscriptions_by_user, urgency_of,
)
from mutualaid.notifications.sms import SmsFailed, record_sms, send_sms, sms_text

LEASE = timedelta(seconds=60)
BACKOFF = (10, 60, 300, 1800, 7200)  # seconds before attempt 2, 3, ...
log = logging.getLogger(__name__)
_senders = None  # (size, ThreadPoolExecutor) of this process
_senders_lock = threading.Lock()


def due_ids(now=None, limit=100):
    """Ids of deliveries due now, oldest first."""
    now = now or utcnow()
    ids = db.session.scalars(sa.select(Delivery.id).where(
        Delivery.status == "pending", Delivery.due_at <= now)
        .order_by(Delivery.due_at, Delivery.id).limit(limit)).all()
    db.session.rollback()  # end the read (SQLite: BEGIN IMMEDIATE holds the write lock)
    return ids


def deliver_due(now=None, limit=100):
    """Send what is due, a batch at a time, until nothing is; returns how many were sent."""
    sent = 0
    while True:
        claimed, done = deliver_batch(now, limit)
        sent += done
        if claimed < limit:
            return sent


def deliver_one(delivery_id, now=None):
    """Claim, send and mark one delivery; 1 when it was sent, else 0."""
    return deliver_batch(now, ids=[delivery_id])[1]


def claim_due(now=None, limit=100, ids=None):
    """Take due deliveries (``ids``, or the oldest ``limit``) for a lease, committed; returns
    the ids this worker got (another worker's claims are skipped)."""
    now = now or utcnow()
    ids = ids if ids is not None else due_ids(now, limit)
    if not ids:
        return []
    got = db.session.scalars(
        sa.update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == "pending", Delivery.due_at <= now)
        .values(due_at=now + LEASE, attempts=Delivery.attempts + 1)
        .returning(Delivery.id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    return sorted(got)


def claim(delivery_id, now=None):
    """Take one due delivery for a lease; False when another worker has it."""
    return claim_due(now, ids=[delivery_id]) == [delivery_id]


def deliver_batch(now=None, limit=100, ids=None):
    """Claim a batch, send it outside any transaction (a slow push service must not hold
    the database), then record the outcomes in one commit; returns (claimed, sent)."""
    claimed = claim_due(now, limit, ids)
    if not claimed:
        return 0, 0
    works = _prepare(claimed)
    db.session.rollback()  # end the read before talking to the outside
    outcomes = _attempt_all(works)
    forget_gone([gone for _error, gone in outcomes for gone in gone])
    failed = {work["delivery_id"]: error for work, (error, _gone) in zip(works, outcomes)
              if error is not None}
    for delivery in db.session.scalars(sa.select(Delivery).where(
            Delivery.id.in_(list(failed)))):
        _retry_later(delivery, failed[delivery.id], now)
    sent = [work for work in works if work["delivery_id"] not in failed]
    for work in sent:
        if work["channel"] == "sms" and work["phone"]:
            record_sms(work["notification_id"], work["user_id"], work["community_id"],
                       work["phone"], work["text"])
    if sent:
        db.session.execute(
            sa.update(Delivery).where(Delivery.id.in_([work["delivery_id"] for work in sent]))
            .values(status="sent", sent_at=utcnow(), error=None)
            .execution_options(synchronize_session=False))
    db.session.commit()
    return len(claimed), len(sent)


def _attempt_all(works):
    """Send each prepared delivery, ``NOTIFY_SENDERS`` at a time (a push is mostly waiting
    for the push service); returns ``(error text or None, gone subscription ids)`` each."""
    app = current_app._get_current_object()
    senders = app.config.get("NOTIFY_SENDERS", 4)
    if senders <= 1 or len(works) <= 1:
        return [_attempt(work) for work in works]

    def attempt(work):
        with app.app_context():
            return _attempt(work)

    return list(_pool(senders).map(attempt, works))


def _pool(size):
    """This process's sender threads, made once: each keeps its own push connections."""
    global _senders
    with _senders_lock:
        if _senders is None or _senders[0] != size:
            _senders = (size, ThreadPoolExecutor(size, thread_name_prefix="notify-sender"))
        return _senders[1]


def _attempt(work):
    """Send one prepared delivery: ``(error text or None, gone subscription ids)``."""
    try:
        return None, _send(work)
    except (PushFailed, SmsFailed) as error:
        return str(error), getattr(error, "gone", [])


def _prepare(delivery_ids):
    """What sending each delivery needs, as plain data, read in a few queries for the whole
    batch: texts in the reader's language (each distinct text rendered once: a fan-out's
    thousands share one), the subscriptions or the phone."""
    rows = db.session.execute(
        sa.select(Delivery.id, Delivery.channel, Notification, User.locale, User.phone)
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(User, User.id == Notification.user_id)
        .where(Delivery.id.in_(delivery_ids)).order_by(Delivery.id)).all()
    pushed = [row.Notification.user_id for row in rows if row.channel == "push"]
    subscriptions = subscriptions_by_user(pushed)
    texted = [row.Notification.user_id for row in rows if row.channel == "sms"]
    communities = _communities(texted)
    locales = [reader_locale(row.locale) for row in rows]
    texts = render_all([(row.Notification, locale) for row, locale in zip(rows, locales)])
    works = []
    for row, locale, (title, body) in zip(rows, locales, texts):
        notification = row.Notification
        work = {"delivery_id": row.id, "channel": row.channel,
                "notification_id": notification.id, "user_id": notification.user_id,
                "phone": row.phone}
        if row.channel == "push":
            work |= {"data": payload_of(notification, title, body),
                     "urgency": urgency_of(notification.kind),
                     "subscriptions": subscriptions.get(notification.user_id, [])}
        else:
            work |= {"text": sms_text(title, body, locale),
                     "community_id": communities.get(notification.user_id)}
        works.append(work)
    return works


def _communities(user_ids):
    """``{user_id: community id}`` of the users (an SMS outbox row is filed under it)."""
    from mutualaid.places.models import Building, Unit

    if not user_ids:
        return {}
    return dict(db.session.execute(
        sa.select(User.id, Building.community_id).join(Unit, Unit.id == User.unit_id)
        .join(Building, Building.id == Unit.building_id).where(User.id.in_(user_ids))).all())


def _send(work):
    """Hand the prepared delivery to its channel; returns push subscriptions that are gone."""
    if work["channel"] == "push":
        return send_push(work["data"], work["urgency"], work["subscriptions"])
    if work["phone"]:
        send_sms(work["notification_id"], work["phone"], work["text"])
    return []


def _retry_later(delivery, error, now=None):
    """Back off before the next attempt, or give up after the last."""
    log.warning("delivery %s (%s) failed: %s", delivery.id, delivery.channel, error)
    delivery.error = error[:200]
    if delivery.attempts > len(BACKOFF):
        delivery.status = "failed"
        return
    delivery.due_at = (now or utcnow()) + timedelta(seconds=BACKOFF[delivery.attempts - 1])
