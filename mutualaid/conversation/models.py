"""Messages on an order, and how far each person has read them."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.accounts.models import User
from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db

MAX_BODY = 1000


class OrderMessage(db.Model):
    """One message on an order; never edited or deleted (staff may hide it)."""

    __tablename__ = "order_messages"
    __table_args__ = (sa.Index("ix_order_messages_order_id_id", "order_id", "id"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.String(MAX_BODY))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    hidden: so.Mapped[bool] = so.mapped_column(default=False)

    author: so.Mapped[User] = so.relationship()


class MessageRead(db.Model):
    """The last message of an order that a person has read (everything up to it is read)."""

    __tablename__ = "message_reads"
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    last_read_id: so.Mapped[int] = so.mapped_column(default=0)
