"""Inbox rows, their deliveries (the persistent queue), settings, push subscriptions and the
SMS outbox."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.accounts.models import User
from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db

CHANNELS = ("push", "sms")
DELIVERY_STATUSES = ("pending", "sent", "failed")


class Notification(db.Model):
    """One notice in a user's inbox: a kind and its parameters, rendered when read or sent
    in the reader's language (never frozen in one)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_id_id", "user_id", "id"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    params: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    url: so.Mapped[str] = so.mapped_column(sa.String(300))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class Delivery(db.Model):
    """A notification to send on one channel: written in the notification's transaction, so
    a crash after the commit loses nothing; one per notification and channel (no double)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("notification_id", "channel",
                            name="uq_notification_deliveries_notification_channel"),
        sa.CheckConstraint(f"channel IN {CHANNELS}", name="channel_known"),
        sa.CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status_known"),
        sa.Index("ix_notification_deliveries_status_due_at", "status", "due_at"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    notification_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("notifications.id"))
    channel: so.Mapped[str] = so.mapped_column(sa.String(8))
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    error: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    notification: so.Mapped[Notification] = so.relationship()


class NotificationSettings(db.Model):
    """A user's channels, kinds turned off, quiet hours and audiences (no row: defaults)."""

    __tablename__ = "notification_settings"
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    push: so.Mapped[bool] = so.mapped_column(default=True)
    sms: so.Mapped[bool] = so.mapped_column(default=False)
    kinds: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # Both None: no quiet hours (a new row copies the defaults, see domain.DEFAULTS).
    quiet_start: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    quiet_end: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    audiences: so.Mapped[list] = so.mapped_column(sa.JSON, default=lambda: ["everyone"])


class PushSubscription(db.Model):
    """A browser's Web Push subscription (an endpoint on an allowed push service)."""

    __tablename__ = "push_subscriptions"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    endpoint: so.Mapped[str] = so.mapped_column(sa.String(1000), unique=True)
    p256dh: so.Mapped[str] = so.mapped_column(sa.String(200))
    auth: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class SmsMessage(db.Model):
    """An SMS written by ``SMS_BACKEND=log``: staff read the outbox to phone or hand it over."""

    __tablename__ = "sms_outbox"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    notification_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("notifications.id"),
                                                       unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    community_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("communities.id"),
                                                           index=True)
    phone: so.Mapped[str] = so.mapped_column(sa.String(20))
    body: so.Mapped[str] = so.mapped_column(sa.String(500))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship()
