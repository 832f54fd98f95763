"""What neighbours can do: their skills (with the radius they will travel) and their offers
(standing services with tags, radius and availability)."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db
from mutualaid.matching.tags import TAXONOMY
from mutualaid.places.models import Building, Unit

DEFAULT_RADIUS_M = 1000
MIN_RADIUS_M, MAX_RADIUS_M = 100, 20_000
# Availability is two small bit masks, in China Standard Time (UTC+8):
# days: bit 0 = Monday ... bit 6 = Sunday; parts: morning 06-12, afternoon 12-18, evening 18-22.
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 22)}
ALL_DAYS, ALL_PARTS = (1 << len(DAYS)) - 1, (1 << len(PARTS)) - 1
# The reach grid that matching's indexes are ordered by (see ranking.py): a row's band is the
# first of REACH_BAND_TOPS its radius fits under (the radii the skills page offers are the
# tops: 300-1,000 m in band 0, then 2, 3, 5, 10 and 20 km), its cell a strip of latitude
# 1/200 degree (556 m) times the band's top in kilometres wide, so that the box of any
# band's reach spans five or six cells. SQL expressions on the row's own columns: nothing to
# keep up to date, and written the same in both databases (the cast truncates in SQLite and
# rounds in PostgreSQL, either way monotonic). Migration 0014 writes them out.
REACH_BAND_TOPS = (1000, 2000, 3000, 5000, 10_000, MAX_RADIUS_M)
REACH_BANDS = len(REACH_BAND_TOPS)
REACH_CELLS_PER_DEGREE = 200


def _by_band(values):
    """SQL: ``values[band]`` for the band of the row's ``radius_m``."""
    arms = " ".join(f"WHEN radius_m <= {top} THEN {value}"
                    for top, value in zip(REACH_BAND_TOPS[:-1], values))
    return f"(CASE {arms} ELSE {values[-1]} END)"


REACH_BAND = _by_band(range(REACH_BANDS))
REACH_CELL = (f"(CAST(lat * {REACH_CELLS_PER_DEGREE} / "
              f"{_by_band([top // 1000 for top in REACH_BAND_TOPS])} AS INTEGER))")


class UserSkill(db.Model):
    """One skill of a user. All of a user's rows carry the same ``radius_m`` (how far they go)."""

    __tablename__ = "user_skills"
    __table_args__ = (
        sa.CheckConstraint(f"radius_m BETWEEN {MIN_RADIUS_M} AND {MAX_RADIUS_M}",
                           name="skill_radius_range"),
        # Matching finds the rows whose reach holds a need inside this index (see ranking.py).
        sa.Index("ix_user_skills_reach", "tag", sa.text(REACH_BAND), sa.text(REACH_CELL),
                 "lon", "lat", "radius_m", "user_id"),
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    tag: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    radius_m: so.Mapped[int] = so.mapped_column(default=DEFAULT_RADIUS_M)
    # A copy of the home building's position, kept by follow_moves() in the same transaction;
    # the truth stays on the building, but matching reads only the copy (the reach index and
    # distances alike), so that a ranking never joins a skill row to anything.
    lat: so.Mapped[float | None] = so.mapped_column(sa.Float)
    lon: so.Mapped[float | None] = so.mapped_column(sa.Float)


class Offer(db.Model):
    """A standing service a neighbour provides ("I fix leaking taps, weekday evenings")."""

    __tablename__ = "offers"
    __table_args__ = (
        sa.CheckConstraint(f"radius_m BETWEEN {MIN_RADIUS_M} AND {MAX_RADIUS_M}",
                           name="offer_radius_range"),
        sa.CheckConstraint(f"available_days BETWEEN 1 AND {ALL_DAYS}", name="offer_days_mask"),
        sa.CheckConstraint(f"available_parts BETWEEN 1 AND {ALL_PARTS}", name="offer_parts_mask"),
        sa.Index("ix_offers_reach", sa.text(REACH_BAND), sa.text(REACH_CELL),
                 "lon", "lat", "radius_m", "active"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(80))
    description: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    radius_m: so.Mapped[int] = so.mapped_column(default=DEFAULT_RADIUS_M)
    available_days: so.Mapped[int] = so.mapped_column(default=ALL_DAYS)
    available_parts: so.Mapped[int] = so.mapped_column(default=ALL_PARTS)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    lat: so.Mapped[float | None] = so.mapped_column(sa.Float)  # copy, as on UserSkill
    lon: so.Mapped[float | None] = so.mapped_column(sa.Float)
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


def home_position(session, user_id):
    """(lat, lon) of the user's home building, or (None, None) without one."""
    from mutualaid.accounts.models import User

    row = session.execute(sa.select(Building.lat, Building.lon)
                          .join(Unit, Unit.building_id == Building.id)
                          .join(User, User.unit_id == Unit.id).where(User.id == user_id)).first()
    return (row.lat, row.lon) if row else (None, None)


def copy_position(session, user_ids):
    """Refresh the position copies on the skills and offers of ``user_ids``."""
    for user_id in user_ids:
        lat, lon = home_position(session, user_id)
        for model, owner in ((UserSkill, UserSkill.user_id), (Offer, Offer.owner_id)):
            session.execute(sa.update(model).where(owner == user_id)
                            .values(lat=lat, lon=lon).execution_options(synchronize_session=False))


@sa.event.listens_for(so.Session, "after_flush")
def follow_moves(session, _context):
    """When a user moves to another unit, or a building is moved, matching's copies of the
    position follow, in the same transaction."""
    from mutualaid.accounts.models import User

    moved = {obj.id for obj in session.dirty if isinstance(obj, User)
             and sa.inspect(obj).attrs.unit_id.history.has_changes()}
    for building in (obj for obj in session.dirty if isinstance(obj, Building)):
        state = sa.inspect(building).attrs
        if state.lat.history.has_changes() or state.lon.history.has_changes():
            moved.update(session.scalars(sa.select(User.id).join(Unit, Unit.id == User.unit_id)
                                         .where(Unit.building_id == building.id)))
    if moved:
        copy_position(session, sorted(moved))
