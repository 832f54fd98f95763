"""The persistent delivery queue: pending rows of ``notification_deliveries`` sent after the
commit, at least once, by whichever worker claims them.

A worker claims a batch of due rows with one conditional UPDATE that moves their ``due_at`` a
lease ahead, commits, sends, then marks them sent. Killed between the claim and the mark, the row
falls due again when the lease ends and is sent again: at least once. Repeats are harmless
(a push carries the notification id as its tag, the SMS outbox keeps one row per
notification, the http gateway gets the id). Failures retry with backoff, then give up.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.notifications.domain import reader_locale
from mutualaid.notifications.kinds import render
from mutualaid.notifications.models import Delivery
from mutualaid.notifications.push import (
    PushFailed, forget_gone, payload_of, send_push, subscriptions_of, urgency_of,
)
from mutualaid.notifications.sms import SmsFailed, record_sms, send_sms, sms_text

LEASE = timedelta(seconds=60)
BACKOFF = (10, 60, 300, 1800, 7200)  # seconds before attempt 2, 3, ...
log = logging.getLogger(__name__)


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
    """Claim a batch, send each outside any transaction (a slow push service must not hold
    the database), then record the outcomes in one commit; returns (claimed, sent)."""
    claimed = claim_due(now, limit, ids)
    if not claimed:
        return 0, 0
    works = [_prepare(delivery_id) for delivery_id in claimed]
    db.session.rollback()  # end the read before talking to the outside
    outcomes = [(work, _attempt(work)) for work in works]
    sent = 0
    for work, (gone, error) in outcomes:
        forget_gone(gone)
        delivery = db.session.get(Delivery, work["delivery_id"])
        if error is not None:
            _retry_later(delivery, error, now)
            continue
        if work["channel"] == "sms" and work["phone"]:
            record_sms(work["notification_id"], work["user_id"], work["community_id"],
                       work["phone"], work["text"])
        delivery.status, delivery.sent_at, delivery.error = "sent", utcnow(), None
        sent += 1
    db.session.commit()
    return len(claimed), sent


def _attempt(work):
    """Send one prepared delivery: ``(gone subscription ids, error text or None)``."""
    try:
        return _send(work), None
    except (PushFailed, SmsFailed) as error:
        return getattr(error, "gone", []), str(error)


def _prepare(delivery_id):
    """What sending needs, as plain data: texts in the reader's language, the address."""
    delivery = db.session.get(Delivery, delivery_id)
    notification = delivery.notification
    user = db.session.get(User, notification.user_id)
    locale = reader_locale(user.locale)
    title, body = render(notification, locale)
    work = {"delivery_id": delivery.id, "channel": delivery.channel,
            "notification_id": notification.id,
            "user_id": user.id, "phone": user.phone}
    if delivery.channel == "push":
        work |= {"data": payload_of(notification, title, body),
                 "urgency": urgency_of(notification.kind),
                 "subscriptions": subscriptions_of(user.id)}
    else:
        work |= {"text": sms_text(title, body, locale),
                 "community_id": user.unit.building.community_id if user.unit else None}
    return work


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
