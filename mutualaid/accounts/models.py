"""People and their credentials: users, staff memberships, API tokens."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db
from mutualaid.places.models import Unit

ROLES = ("resident", "staff", "admin")
RELATIONS = ("owner", "tenant", "family")


class User(UserMixin, db.Model):
    """A resident, staff member or admin. Only verified residents accept orders, vote or book."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(f"role IN {ROLES}", name="role_known"),
        sa.CheckConstraint(f"relation IS NULL OR relation IN {RELATIONS}", name="relation_known"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(50))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(200))
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default="resident")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    unit_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("units.id"), index=True)
    relation: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    verified_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    vulnerable: so.Mapped[bool] = so.mapped_column(default=False)
    vetted: so.Mapped[bool] = so.mapped_column(default=False)
    pin_hash: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    pin_failures: so.Mapped[int] = so.mapped_column(default=0)
    pin_locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    # Part of every cookie session; bumped on sign-out and password change, so a copied or
    # stolen cookie (Flask sessions live in the client) stops working at once.
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Whether the requester of an order this user helps with sees their phone number.
    share_phone: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    # Set when the person deleted their account: names and phone are erased in place, the
    # row stays so that ledgers, ballots and order histories keep pointing at an id.
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    unit: so.Mapped[Unit | None] = so.relationship(foreign_keys=[unit_id])

    @property
    def verified(self):
        """True once staff have verified this person into a unit."""
        return self.verified_at is not None

    @property
    def is_active(self):
        """Flask-Login: deactivated accounts cannot sign in."""
        return self.active

    def get_id(self):
        """Flask-Login: what a cookie session stores, ``"<id>.<session_version>"``."""
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self):
        """Make every cookie session of this user stop working (sign-out, new password)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_staff(self):
        """Staff or admin (admins can do what staff can, everywhere)."""
        return self.role in ("staff", "admin")

    def __repr__(self):
        return f"<User {self.id} {self.username}>"


class StaffMembership(db.Model):
    """Staff act only in the communities they are members of."""

    __tablename__ = "staff_memberships"
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("communities.id"), primary_key=True
    )


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored. Kiosk sign-ins are short-lived tokens
    marked with their kiosk: such a token may do only what the kiosk screens do."""

    __tablename__ = "api_tokens"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    kiosk_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("kiosks.id"), index=True)

    user: so.Mapped[User] = so.relationship()


class ResetCode(db.Model):
    """A one-time password reset code that staff hand over in person; only its hash is kept."""

    __tablename__ = "reset_codes"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    issued_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
