"""Communities, buildings and units: where people live and what they own."""
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db

if TYPE_CHECKING:  # accounts.models imports this module
    from mutualaid.accounts.models import User


class Community(db.Model):
    """A residential community (社区), the scope of staff work and of community votes."""

    __tablename__ = "communities"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    buildings: so.WriteOnlyMapped["Building"] = so.relationship(back_populates="community")


class Building(db.Model):
    """A building (楼栋) with a position used for matching and the lobby kiosk."""

    __tablename__ = "buildings"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    lat: so.Mapped[float] = so.mapped_column(sa.Float)
    lon: so.Mapped[float] = so.mapped_column(sa.Float)

    community: so.Mapped[Community] = so.relationship(back_populates="buildings")


class Unit(db.Model):
    """A flat (户). Floor area is kept in hundredths of m² so legal sums stay exact."""

    __tablename__ = "units"
    __table_args__ = (
        sa.UniqueConstraint("building_id", "number"),
        sa.CheckConstraint("area_hundredths > 0", name="area_positive"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    building_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("buildings.id"), index=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(20))
    floor: so.Mapped[int | None] = so.mapped_column(sa.Integer)  # None: not known
    area_hundredths: so.Mapped[int] = so.mapped_column(sa.Integer)
    owner_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", use_alter=True), index=True
    )

    building: so.Mapped[Building] = so.relationship()
    owner: so.Mapped["User | None"] = so.relationship(foreign_keys=[owner_id])

    @property
    def floor_area_m2(self):
        """The floor area as an exact Decimal with two places."""
        return Decimal(self.area_hundredths) / 100
