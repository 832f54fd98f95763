"""The persistent delivery queue: pending rows of ``notification_deliveries`` sent after the
commit, at least once, by whichever worker claims them.

A worker claims a due row with one conditional UPDATE that moves its ``due_at`` a lease
ahead, commits, sends, then marks it sent. Killed between the claim and the mark, the row
falls due again when the lease ends and is sent again: at least once. Repeats are harmless
(a push carries the notification id as its tag, the SMS outbox keeps one row per
notification, the http gateway gets the id). Failures retry with backoff, then give up.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.database import utcnow
from mutualaid.extensions import db
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
    """Send what is due (each claimed, sent and marked in its own commits); returns how many
    were sent."""
    sent = 0
    for delivery_id in due_ids(now, limit):
        sent += deliver_one(delivery_id, now)
    return sent


def claim(delivery_id, now=None):
    """Take a due delivery for a lease (committed); False when another worker has it."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "pending", Delivery.due_at <= now)
        .values(due_at=now + LEASE, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def deliver_one(delivery_id, now=None):
    """Claim, send and mark one delivery; 1 when it was sent, else 0. The send happens
    outside any transaction (a slow push service must not hold the database)."""
    if not claim(delivery_id, now):
        return 0
    work = _prepare(delivery_id)
    db.session.rollback()  # end the read before talking to the outside
    gone = []
    try:
        gone = _send(work)
    except (PushFailed, SmsFailed) as error:
        forget_gone(getattr(error, "gone", []))
        _retry_later(db.session.get(Delivery, delivery_id), str(error), now)
        db.session.commit()
        return 0
    forget_gone(gone)
    if work["channel"] == "sms" and work["phone"]:
        record_sms(work["notification_id"], work["user_id"], work["community_id"],
                   work["phone"], work["text"])
    delivery = db.session.get(Delivery, delivery_id)
    delivery.status, delivery.sent_at, delivery.error = "sent", utcnow(), None
    db.session.commit()
    return 1


def _prepare(delivery_id):
    """What sending needs, as plain data: texts in the reader's language, the address."""
    delivery = db.session.get(Delivery, delivery_id)
    notification = delivery.notification
    user = db.session.get(User, notification.user_id)
    locale = reader_locale(user.locale)
    title, body = render(notification, locale)
    work = {"channel": delivery.channel, "notification_id": notification.id,
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
