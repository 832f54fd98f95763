"""A kiosk is a lobby tablet bound to a building; only the SHA-256 of its token is stored."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db


class Kiosk(db.Model):
    """A share-hut tablet. Its token shows the building's board and nothing else."""

    __tablename__ = "kiosks"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    building_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("buildings.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    building = so.relationship("Building")
    created_by = so.relationship("User")

    @property
    def community_id(self):
        """The community of the kiosk's building."""
        return self.building.community_id
