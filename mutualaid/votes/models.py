"""Votes, their append-only ballot records, and the one current ballot per voter.

Every ballot, change included, is a row of ``ballots`` that is never updated or deleted; each
row hashes the previous row of the same vote (see ``audit.py``). ``current_ballots`` points at
the latest record of each voter: its primary key (vote, voter) is what makes "one ballot per
voter" a database rule.
"""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.core.database import UTCDateTime, utcnow
from mutualaid.core.extensions import db
from mutualaid.votes.rules import CHOICES, RULES

CHANNELS = ("online", "kiosk", "paper", "proxy")
STAFF_CHANNELS = ("kiosk", "paper")


class Vote(db.Model):
    """A vote (民意表决) of a building or, with no building, of a whole community."""

    __tablename__ = "votes"
    __table_args__ = (
        sa.CheckConstraint(f"rule IN {RULES}", name="rule_known"),
        sa.CheckConstraint("closes_at IS NULL OR closes_at > opens_at", name="closes_after_open"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id"), index=True)
    building_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("buildings.id"),
                                                          index=True)
    rule: so.Mapped[str] = so.mapped_column(sa.String(10))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    attachments: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    opens_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    closes_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    open_announced: so.Mapped[bool] = so.mapped_column(default=False)
    # Frozen at close: the electorate ({voter key: area}) and the result, so a later change
    # of owners cannot rewrite a decided vote.
    closed_electorate: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    closed_result: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)
    # Building projects (see stages.py and shares.py).
    notice_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    objection_days: so.Mapped[int] = so.mapped_column(default=7, server_default="7")
    final_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    announced_stage: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    # {"total_cost", "maintenance_fund", "subsidy": cents, "coefficients": {floor: hundredths}}
    cost_plan: so.Mapped[dict | None] = so.mapped_column(sa.JSON)

    community = so.relationship("Community")
    building = so.relationship("Building")
    created_by = so.relationship("User")

    def status_at(self, now):
        """``scheduled``, ``open`` or ``closed`` at ``now`` (past its closing time: closed)."""
        if self.closed_at is not None or (self.closes_at is not None and self.closes_at <= now):
            return "closed"
        return "scheduled" if now < self.opens_at else "open"

    @property
    def status(self):
        """The status now."""
        return self.status_at(utcnow())


class Ballot(db.Model):
    """One recorded ballot or change of ballot; append-only, chained by hash within its vote."""

    __tablename__ = "ballots"
    __table_args__ = (
        sa.UniqueConstraint("vote_id", "seq"),
        sa.CheckConstraint(f"choice IN {CHOICES}", name="choice_known"),
        sa.CheckConstraint(f"channel IN {CHANNELS}", name="channel_known"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    vote_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("votes.id"))  # (vote_id, seq) index
    seq: so.Mapped[int] = so.mapped_column(sa.Integer)
    voter_key: so.Mapped[str] = so.mapped_column(sa.String(40))
    unit_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("units.id"))
    cast_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    choice: so.Mapped[str] = so.mapped_column(sa.String(10))
    channel: so.Mapped[str] = so.mapped_column(sa.String(10))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    receipt: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # The written authorisation a proxy ballot was cast under (channel ``proxy``).
    proxy_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("vote_proxies.id"))

    vote = so.relationship(Vote)
    cast_by = so.relationship("User")
    unit = so.relationship("Unit")
    proxy = so.relationship("Proxy")

    @property
    def recorded_by(self):
        """``self``, ``staff`` or ``proxy``: who put this record in."""
        if self.channel == "proxy":
            return "proxy"
        return "self" if self.unit_id is None else "staff"


class CurrentBallot(db.Model):
    """The ballot that counts for a voter: exactly one row per (vote, voter)."""

    __tablename__ = "current_ballots"
    vote_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("votes.id"), primary_key=True)
    voter_key: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    ballot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ballots.id"), unique=True)

    ballot = so.relationship(Ballot)


# The database itself refuses to change or remove a ballot record (the migration creates the
# same triggers). Someone with full database access can drop them; the hash chain still shows it.
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER ballots_no_update BEFORE UPDATE ON ballots "
    "BEGIN SELECT RAISE(ABORT, 'ballot records are append-only'); END",
    "CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots "
    "BEGIN SELECT RAISE(ABORT, 'ballot records are append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION ballots_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'ballot records are append-only'; END $$",
    "CREATE TRIGGER ballots_append_only BEFORE UPDATE OR DELETE ON ballots "
    "FOR EACH ROW EXECUTE FUNCTION ballots_append_only()",
]
for _statement in APPEND_ONLY_SQLITE:
    sa.event.listen(Ballot.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    sa.event.listen(Ballot.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="postgresql"))


from mutualaid.votes import project_models  # noqa: E402,F401  (the rows Ballot.proxy names)
