"""The rows around a building project's vote: documents, questions, objections, proxies, and
the vote's audit log of what happened outside the ballot chain (recounts, final result)."""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db


class VoteDocument(db.Model):
    """A PDF or image (a quote, a plan, a contract) staff attached to a vote."""

    __tablename__ = "vote_documents"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    vote_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("votes.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    path: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
    uploaded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @property
    def url(self):
        """Where the file is served to the vote's scope."""
        return f"/api/v1/vote-documents/{self.id}"


class _Answered:
    """A text from a resident that staff answer once (questions and objections)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    answer: so.Mapped[str | None] = so.mapped_column(sa.Text)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    @so.declared_attr
    def vote_id(cls) -> so.Mapped[int]:
        return so.mapped_column(sa.ForeignKey("votes.id"), index=True)

    @so.declared_attr
    def answered_by_id(cls) -> so.Mapped[int | None]:
        return so.mapped_column(sa.ForeignKey("users.id"))


class VoteQuestion(_Answered, db.Model):
    """A question a resident in scope asked on a vote; staff answer it publicly."""

    __tablename__ = "vote_questions"
    asker_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))

    asker = so.relationship("User", foreign_keys=[asker_id])
    vote = so.relationship("Vote")


class VoteObjection(_Answered, db.Model):
    """An eligible owner's objection to the preliminary result; staff answer each."""

    __tablename__ = "vote_objections"
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))

    author = so.relationship("User", foreign_keys=[author_id])
    vote = so.relationship("Vote")


class Proxy(db.Model):
    """An owner's written authorisation (委托书) of a proxy to vote for them in one vote."""

    __tablename__ = "vote_proxies"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    vote_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("votes.id"), index=True)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    proxy_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    note: so.Mapped[str] = so.mapped_column(sa.String(200))
    signed_on: so.Mapped[date] = so.mapped_column(sa.Date)
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Withdrawn, not deleted: ballots cast under it keep pointing at it.
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    owner = so.relationship("User", foreign_keys=[owner_id])
    proxy = so.relationship("User", foreign_keys=[proxy_id])
    vote = so.relationship("Vote")


class VoteLogEntry(db.Model):
    """One line of a vote's audit log outside the ballot chain: a recount, the final result."""

    __tablename__ = "vote_log"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    vote_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("votes.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    detail: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
