"""A community's data as CSV files (``flask export-community ID DIR``): orders, ballots, ledger.

For the street office's own records and audits. Cells that a spreadsheet would run as a
formula are prefixed with ``'``; times are UTC ISO 8601. Contact details (phones) are left out.
"""
import csv
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.orders.models import CreditEntry, Order
from mutualaid.votes.audit import _cell, records
from mutualaid.votes.models import CurrentBallot, Vote

ORDER_COLUMNS = ["id", "created_at", "updated_at", "status", "title", "tags", "urgency",
                 "building", "requester", "created_by", "helper", "window_start", "window_end",
                 "minutes", "rating", "hidden", "version"]
BALLOT_COLUMNS = ["vote_id", "vote_title", "seq", "recorded_at", "receipt", "voter", "unit_id",
                  "cast_by", "channel", "choice", "note", "superseded", "prev_hash", "hash"]
LEDGER_COLUMNS = ["id", "at", "user", "order_id", "minutes", "kind"]


def _time(value):
    return value.isoformat() if value else ""


def _name(user):
    return user.username if user else ""


def order_rows(community_id):
    """One row per order of the community, oldest first."""
    orders = db.session.scalars(
        sa.select(Order).where(Order.community_id == community_id).order_by(Order.id)
        .options(so.selectinload(Order.requester), so.selectinload(Order.created_by),
                 so.selectinload(Order.helper), so.selectinload(Order.building)))
    for o in orders:
        yield [o.id, _time(o.created_at), _time(o.updated_at), o.status, o.title,
               " ".join(o.tags), o.urgency, o.building.name, _name(o.requester),
               _name(o.created_by), _name(o.helper), _time(o.window_start),
               _time(o.window_end), o.minutes or "", o.rating or "",
               "yes" if o.hidden else "no", o.version]


def ballot_rows(community_id):
    """Every ballot record (with its hash chain) of the community's votes."""
    votes = db.session.scalars(
        sa.select(Vote).where(Vote.community_id == community_id).order_by(Vote.id)).all()
    for vote in votes:
        current = set(db.session.scalars(
            sa.select(CurrentBallot.ballot_id).where(CurrentBallot.vote_id == vote.id)))
        for b in records(vote.id):
            yield [vote.id, vote.title, b.seq, _time(b.recorded_at), b.receipt, b.voter_key,
                   b.unit_id or "", b.cast_by.username, b.channel, b.choice, b.note or "",
                   "no" if b.id in current else "yes", b.prev_hash, b.hash]


def ledger_rows(community_id):
    """The time-credit entries earned on the community's orders, in ledger order."""
    entries = db.session.scalars(
        sa.select(CreditEntry).join(Order, Order.id == CreditEntry.order_id)
        .where(Order.community_id == community_id).order_by(CreditEntry.id))
    users = {}
    for e in entries:
        if e.user_id not in users:
            users[e.user_id] = db.session.get(User, e.user_id)
        yield [e.id, _time(e.at), _name(users[e.user_id]), e.order_id, e.minutes, e.kind]


FILES = {"orders.csv": (ORDER_COLUMNS, order_rows), "ballots.csv": (BALLOT_COLUMNS, ballot_rows),
         "ledger.csv": (LEDGER_COLUMNS, ledger_rows)}


def export_community(community_id, directory):
    """Write orders.csv, ballots.csv and ledger.csv into ``directory``; returns
    ``{file name: rows written}`` (header not counted)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (columns, rows) in FILES.items():
        count = 0
        with open(directory / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows(community_id):
                writer.writerow([_cell(value) for value in row])
                count += 1
        written[name] = count
    return written
