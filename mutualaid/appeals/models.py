"""Appeals, their events, photos, followers and the time limits of each level."""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.accounts.models import User
from mutualaid.appeals.categories import CODES
from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db

STATUSES = ("submitted", "accepted", "in_progress", "resolved", "closed", "rejected",
            "duplicate", "reopened")
OPEN_STATUSES = ("submitted", "accepted", "in_progress", "reopened")
LEVELS = ("grid", "community", "street")
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
EVENT_KINDS = ("filed", "accepted", "started", "resolved", "rejected", "merged", "escalated",
               "rated", "reopened", "closed", "overdue")
MAX_PHOTOS = 3


class Appeal(db.Model):
    """A resident's appeal: a problem for the people responsible, up the levels."""

    __tablename__ = "appeals"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {STATUSES}", name="status_known"),
        sa.CheckConstraint(f"level IN {LEVELS}", name="level_known"),
        sa.CheckConstraint(f"category IN {CODES}", name="category_known"),
        sa.CheckConstraint(f"rating IS NULL OR rating IN {RATINGS}", name="rating_known"),
        sa.Index("ix_appeals_status_due_at", "status", "due_at"),
        sa.Index("ix_appeals_status_resolved_at", "status", "resolved_at"),
        # The open board reads the appeals only for its median and its public page (its
        # counts are AppealBoardDay's), each through an index that holds all it reads:
        # the median of one community walks resolve_seconds in order, of several the period;
        # the public page reads a community's public appeals newest first.
        sa.Index("ix_appeals_board_median", "community_id", "resolve_seconds", "created_at"),
        sa.Index("ix_appeals_board_period", "community_id", "created_at", "resolve_seconds"),
        sa.Index("ix_appeals_board_public", "community_id", "public", "created_at"),
        sa.Index("ix_appeals_community_status", "community_id", "status"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"))
    building_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("buildings.id"), index=True)
    grid_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("grids.id"), index=True)
    lat: so.Mapped[float | None] = so.mapped_column(sa.Float)
    lon: so.Mapped[float | None] = so.mapped_column(sa.Float)
    category: so.Mapped[str] = so.mapped_column(sa.String(30))
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    description: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    public: so.Mapped[bool] = so.mapped_column(default=True)
    anonymous: so.Mapped[bool] = so.mapped_column(default=False)
    appellant_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    visit_note: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    media_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="submitted")
    level: so.Mapped[str] = so.mapped_column(sa.String(10))
    # When it reached its level: both of the level's limits run from here.
    level_since: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The limit ("accept" or "resolve") an appeal at the top level was marked overdue for.
    overdue_noted: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    first_accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    accepted_in_time: so.Mapped[bool | None] = so.mapped_column()
    first_resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    resolve_seconds: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    reply: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    rating: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    rating_comment: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    closed_unrated: so.Mapped[bool] = so.mapped_column(default=False)
    merged_into_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("appeals.id"))
    version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    appellant: so.Mapped[User] = so.relationship(foreign_keys=[appellant_id])
    photos: so.Mapped[list["AppealPhoto"]] = so.relationship(
        order_by="AppealPhoto.id", lazy="selectin")

    @property
    def is_open(self):
        """Open appeals are still to be handled (and may escalate)."""
        return self.status in OPEN_STATUSES

    def __repr__(self):
        return f"<Appeal {self.id} {self.status} at {self.level}>"


class AppealEvent(db.Model):
    """One step of an appeal, counted to the level that took it."""

    __tablename__ = "appeal_events"
    __table_args__ = (sa.CheckConstraint(f"kind IN {EVENT_KINDS}", name="kind_known"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    appeal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("appeals.id"), index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    level: so.Mapped[str] = so.mapped_column(sa.String(10))
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(12))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(2000))


class AppealPhoto(db.Model):
    """A photo of an appeal, re-encoded without EXIF, kept under UPLOAD_DIR."""

    __tablename__ = "appeal_photos"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    appeal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("appeals.id"), index=True)
    path: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class AppealFollow(db.Model):
    """A resident following an appeal (told of each step; only the appellant rates)."""

    __tablename__ = "appeal_follows"
    appeal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("appeals.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                               index=True)


class AppealLimit(db.Model):
    """A community's time limits at one level, in minutes (no row: the defaults)."""

    __tablename__ = "appeal_limits"
    __table_args__ = (
        sa.CheckConstraint(f"level IN {LEVELS}", name="level_known"),
        sa.CheckConstraint("accept_minutes BETWEEN 1 AND 100000", name="accept_range"),
        sa.CheckConstraint("resolve_minutes BETWEEN 1 AND 100000", name="resolve_range"),
    )
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"),
                                                    primary_key=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(10), primary_key=True)
    accept_minutes: so.Mapped[int] = so.mapped_column(sa.Integer)
    resolve_minutes: so.Mapped[int] = so.mapped_column(sa.Integer)


class AppealBoardDay(db.Model):
    """The open board's counts of the appeals filed on one local day in a community, grid
    and category (``tally.py`` keeps them as each step happens)."""

    __tablename__ = "appeal_board_days"
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"),
                                                    primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    grid_id: so.Mapped[int] = so.mapped_column(primary_key=True)  # 0: in no grid
    category: so.Mapped[str] = so.mapped_column(sa.String(30), primary_key=True)
    received: so.Mapped[int] = so.mapped_column(default=0)
    accepted_in_time: so.Mapped[int] = so.mapped_column(default=0)
    resolved: so.Mapped[int] = so.mapped_column(default=0)
    rated: so.Mapped[int] = so.mapped_column(default=0)
    satisfied: so.Mapped[int] = so.mapped_column(default=0)
    basically_satisfied: so.Mapped[int] = so.mapped_column(default=0)
    unrated_closed: so.Mapped[int] = so.mapped_column(default=0)
    timed: so.Mapped[int] = so.mapped_column(default=0)  # with a first resolution
