"""Help orders, their timeline, the time-credit ledger and reports to staff."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.accounts.models import User
from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db
from mutualaid.places.models import Building

STATUSES = ("open", "accepted", "in_progress", "completed", "confirmed", "cancelled", "expired")
URGENCIES = ("low", "normal", "high")
CREDIT_KINDS = ("helped",)
MAX_MINUTES = 600


class Order(db.Model):
    """A help order (需求): a need posted by a resident (or staff for them), taken by a helper."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {STATUSES}", name="status_known"),
        sa.CheckConstraint(f"urgency IN {URGENCIES}", name="urgency_known"),
        sa.CheckConstraint(f"minutes IS NULL OR minutes BETWEEN 1 AND {MAX_MINUTES}",
                           name="minutes_range"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint("helper_id IS NULL OR helper_id <> requester_id",
                           name="helper_not_requester"),
        sa.Index("ix_orders_community_status", "community_id", "status"),
        sa.Index("ix_orders_status_window_end", "status", "window_end"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    requester_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    description: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    urgency: so.Mapped[str] = so.mapped_column(sa.String(10), default="normal")
    window_start: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    window_end: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    building_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("buildings.id"), index=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"))
    offer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("offers.id"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="open")
    helper_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    minutes: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    rating: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    comment: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    hidden: so.Mapped[bool] = so.mapped_column(default=False)
    version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    requester: so.Mapped[User] = so.relationship(foreign_keys=[requester_id])
    created_by: so.Mapped[User] = so.relationship(foreign_keys=[created_by_id])
    helper: so.Mapped[User | None] = so.relationship(foreign_keys=[helper_id])
    building: so.Mapped[Building] = so.relationship()
    tag_rows: so.Mapped[list["OrderTag"]] = so.relationship(
        order_by="OrderTag.position", cascade="all, delete-orphan", lazy="selectin")

    @property
    def tags(self):
        """The order's tag codes, in the order the requester chose them."""
        return [row.tag for row in self.tag_rows]

    def __repr__(self):
        return f"<Order {self.id} {self.status}>"


class OrderTag(db.Model):
    """One skill tag of an order; a row per tag so that lists filter by tag with an index."""

    __tablename__ = "order_tags"
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
    tag: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True, index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)


class OrderEvent(db.Model):
    """One step of an order's life: who moved it, when, from which status to which."""

    __tablename__ = "order_events"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"), index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(12))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(500))

    actor: so.Mapped[User | None] = so.relationship()


class CreditEntry(db.Model):
    """An append-only time-credit (志愿时长) ledger row; one per order and kind."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "kind", name="uq_credit_entries_order_kind"),
        sa.CheckConstraint("kind = 'helped'", name="kind_known"),
        sa.CheckConstraint(f"minutes BETWEEN 1 AND {MAX_MINUTES}", name="minutes_range"),
        sa.Index("ix_credit_entries_user_at", "user_id", "at"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"))
    minutes: so.Mapped[int] = so.mapped_column(sa.Integer)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12), default="helped")
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


@sa.event.listens_for(CreditEntry, "before_update")
@sa.event.listens_for(CreditEntry, "before_delete")
def _ledger_is_append_only(_mapper, _connection, _target):
    """A credit, once written, is history: corrections are new entries, never edits."""
    raise RuntimeError("credit entries are append-only")


class OrderReport(db.Model):
    """A resident's report of an order, or of a message on it, for staff to review."""

    __tablename__ = "order_reports"
    # One report per person and order, and one per person and message (a report of a
    # message in the order's conversation names it).
    __table_args__ = (
        sa.Index("uq_order_reports_order_reporter", "order_id", "reporter_id", unique=True,
                 sqlite_where=sa.text("message_id IS NULL"),
                 postgresql_where=sa.text("message_id IS NULL")),
        sa.Index("uq_order_reports_message_reporter", "message_id", "reporter_id", unique=True,
                 sqlite_where=sa.text("message_id IS NOT NULL"),
                 postgresql_where=sa.text("message_id IS NOT NULL")),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"), index=True)
    reporter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(500))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    resolved: so.Mapped[bool] = so.mapped_column(default=False)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # A report of one message of the order's conversation (mutualaid/conversation).
    message_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("order_messages.id"))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(500))

    order: so.Mapped[Order] = so.relationship()
    reporter: so.Mapped[User] = so.relationship(foreign_keys=[reporter_id])
