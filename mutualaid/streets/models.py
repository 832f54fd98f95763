"""Streets hold communities; grids group a community's buildings under their grid workers."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db


class Street(db.Model):
    """A street (街道): the level above its communities."""

    __tablename__ = "streets"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class StreetCommunity(db.Model):
    """A community's street: a community belongs to at most one (moving it is an update)."""

    __tablename__ = "street_communities"
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"),
                                                    primary_key=True)
    street_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("streets.id"), index=True)


class StreetStaff(db.Model):
    """Street staff see and act on the appeals and boards of every community of the street."""

    __tablename__ = "street_staff"
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    street_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("streets.id"), primary_key=True,
                                                 index=True)


class Grid(db.Model):
    """A grid (网格): some buildings of one community, looked after by its grid workers."""

    __tablename__ = "grids"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class GridBuilding(db.Model):
    """A building's grid: a building is in at most one grid, so an appeal has one first level."""

    __tablename__ = "grid_buildings"
    building_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("buildings.id"),
                                                   primary_key=True)
    grid_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("grids.id"), index=True)


class GridWorker(db.Model):
    """A grid worker (网格员) of a grid."""

    __tablename__ = "grid_workers"
    grid_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("grids.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True,
                                               index=True)
