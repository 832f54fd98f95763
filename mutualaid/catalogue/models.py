"""Services, sessions and bookings. Capacity and one active booking per person are enforced
by the database: a ``booked`` counter that a CHECK keeps within ``capacity`` (raised only by a
conditional UPDATE), and a partial unique index on active bookings."""
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db

CATEGORIES = ("care", "health", "legal", "children", "counselling", "repair", "employment",
              "digital", "meals")
AUDIENCES = ("everyone", "elderly", "children", "women", "youth", "disabled", "families")


class Service(db.Model):
    """A micro-service the street centre offers (a haircut for the elderly, legal advice...)."""

    __tablename__ = "services"
    __table_args__ = (
        sa.CheckConstraint(f"category IN {CATEGORIES}", name="category_known"),
        sa.CheckConstraint(f"audience IN {AUDIENCES}", name="audience_known"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    provider: so.Mapped[str] = so.mapped_column(sa.String(100))
    category: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    audience: so.Mapped[str] = so.mapped_column(sa.String(20))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    community = so.relationship("Community")


class ServiceSession(db.Model):
    """One sitting of a service with a number of seats; ``version`` rises on every change."""

    __tablename__ = "service_sessions"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("duration_min > 0", name="duration_positive"),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    service_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("services.id"), index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    duration_min: so.Mapped[int] = so.mapped_column(sa.Integer)
    capacity: so.Mapped[int] = so.mapped_column(sa.Integer)
    booked: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    place: so.Mapped[str] = so.mapped_column(sa.String(100))
    version: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)

    service: so.Mapped[Service] = so.relationship()

    @property
    def seats_left(self):
        """Seats still free."""
        return self.capacity - self.booked

    @property
    def ends_at(self):
        """When the session ends."""
        return self.starts_at + timedelta(minutes=self.duration_min)


class Booking(db.Model):
    """A person's seat in a session; cancelling keeps the row (``cancelled_at``)."""

    __tablename__ = "bookings"
    __table_args__ = (
        sa.Index("uq_bookings_active_per_user", "session_id", "user_id", unique=True,
                 sqlite_where=sa.text("cancelled_at IS NULL"),
                 postgresql_where=sa.text("cancelled_at IS NULL")),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("service_sessions.id"),
                                                  index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    attended: so.Mapped[bool | None] = so.mapped_column(sa.Boolean)

    session: so.Mapped[ServiceSession] = so.relationship()
    user = so.relationship("User")
