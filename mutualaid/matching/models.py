"""What neighbours can do: their skills (with the radius they will travel) and their offers
(standing services with tags, radius and availability)."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.database import UTCDateTime, utcnow
from mutualaid.extensions import db
from mutualaid.matching.tags import TAXONOMY
from mutualaid.places.models import Building

DEFAULT_RADIUS_M = 1000
MIN_RADIUS_M, MAX_RADIUS_M = 100, 20_000
# Availability is two small bit masks, in China Standard Time (UTC+8):
# days: bit 0 = Monday ... bit 6 = Sunday; parts: morning 06-12, afternoon 12-18, evening 18-22.
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 22)}
ALL_DAYS, ALL_PARTS = (1 << len(DAYS)) - 1, (1 << len(PARTS)) - 1

# Matching prefilters helpers by their home building's position: a box query on this index.
# It is declared here, next to the query that needs it, rather than in places.
BUILDING_POSITION_INDEX = sa.Index(
    "ix_buildings_lat_lon", Building.__table__.c.lat, Building.__table__.c.lon
)


class UserSkill(db.Model):
    """One skill of a user. All of a user's rows carry the same ``radius_m`` (how far they go)."""

    __tablename__ = "user_skills"
    __table_args__ = (
        sa.CheckConstraint(f"radius_m BETWEEN {MIN_RADIUS_M} AND {MAX_RADIUS_M}",
                           name="skill_radius_range"),
        # Far-reaching helpers are found by tag and radius, without a table lookup.
        sa.Index("ix_user_skills_tag_radius", "tag", "radius_m", "user_id"),
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    tag: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    radius_m: so.Mapped[int] = so.mapped_column(default=DEFAULT_RADIUS_M)


class Offer(db.Model):
    """A standing service a neighbour provides ("I fix leaking taps, weekday evenings")."""

    __tablename__ = "offers"
    __table_args__ = (
        sa.CheckConstraint(f"radius_m BETWEEN {MIN_RADIUS_M} AND {MAX_RADIUS_M}",
                           name="offer_radius_range"),
        sa.CheckConstraint(f"available_days BETWEEN 1 AND {ALL_DAYS}", name="offer_days_mask"),
        sa.CheckConstraint(f"available_parts BETWEEN 1 AND {ALL_PARTS}", name="offer_parts_mask"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(80))
    description: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    radius_m: so.Mapped[int] = so.mapped_column(default=DEFAULT_RADIUS_M)
    available_days: so.Mapped[int] = so.mapped_column(default=ALL_DAYS)
    available_parts: so.Mapped[int] = so.mapped_column(default=ALL_PARTS)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    owner: so.Mapped["User"] = so.relationship()  # noqa: F821
    tag_rows: so.Mapped[list["OfferTag"]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="offer"
    )

    @property
    def tags(self):
        """The offer's tag codes, in taxonomy order."""
        order = list(TAXONOMY)
        return sorted((row.tag for row in self.tag_rows), key=order.index)

    @property
    def availability(self):
        """``{"days": ["mon", ...], "parts": ["morning", ...]}``."""
        return {"days": [day for i, day in enumerate(DAYS) if self.available_days >> i & 1],
                "parts": [part for i, part in enumerate(PARTS) if self.available_parts >> i & 1]}


class OfferTag(db.Model):
    """A tag of an offer (a row each, so that matching can find offers by tag in SQL)."""

    __tablename__ = "offer_tags"
    __table_args__ = (sa.Index("ix_offer_tags_tag", "tag", "offer_id"),)
    offer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("offers.id"), primary_key=True)
    tag: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)

    offer: so.Mapped[Offer] = so.relationship(back_populates="tag_rows")
