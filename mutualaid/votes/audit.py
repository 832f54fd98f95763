"""The audit trail of a vote: a hash chain over its ballot records, receipts, recount, export.

Each record's hash is SHA-256 over the previous record's hash and the record's canonical
content (sorted-key JSON of every field that matters), so changing, removing or reordering any
record breaks every hash after it. The first record of a vote chains to ``GENESIS``.
"""
import csv
import hashlib
import io
import json
import secrets
from dataclasses import dataclass
from datetime import UTC

import sqlalchemy as sa

from mutualaid.core.extensions import db
from mutualaid.votes.models import Ballot, CurrentBallot

GENESIS = "0" * 64
# No 0/O, 1/I/L: a receipt is read aloud and typed on phones.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_GROUPS = 3


def new_receipt():
    """A fresh receipt code such as ``7KQ2-MZ4D-XR9P`` (about 59 bits of randomness)."""
    groups = ("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4))
              for _ in range(RECEIPT_GROUPS))
    return "-".join(groups)


def normalise_receipt(code):
    """A receipt as typed (any case, spaces) in its stored form."""
    return code.strip().upper().replace(" ", "")


def canonical(ballot):
    """The bytes a ballot record's hash covers (everything but its own hash)."""
    content = {
        "vote_id": ballot.vote_id, "seq": ballot.seq, "voter_key": ballot.voter_key,
        "unit_id": ballot.unit_id, "cast_by_id": ballot.cast_by_id, "choice": ballot.choice,
        "channel": ballot.channel, "note": ballot.note, "receipt": ballot.receipt,
        "recorded_at": ballot.recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    if ballot.proxy_id is not None:
        # The authorisation is sealed with the ballot: changing it later breaks the chain.
        content["proxy"] = authorisation(ballot.proxy)
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def authorisation(proxy):
    """What a proxy ballot's written authorisation says, as sealed in the chain."""
    return {"id": proxy.id, "owner_id": proxy.owner_id, "proxy_id": proxy.proxy_id,
            "signed_on": proxy.signed_on.isoformat(), "note": proxy.note}


def record_hash(prev_hash, ballot):
    """The hash of a record chained to ``prev_hash``."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(ballot)).hexdigest()


def chain_head(vote_id):
    """``(seq, hash)`` of the vote's last record, or ``(0, GENESIS)``."""
    row = db.session.execute(
        sa.select(Ballot.seq, Ballot.hash).where(Ballot.vote_id == vote_id)
        .order_by(Ballot.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def seal(ballot):
    """Give a new ballot its place in the chain: ``seq``, ``prev_hash`` and ``hash``."""
    seq, head = chain_head(ballot.vote_id)
    ballot.seq, ballot.prev_hash = seq + 1, head
    ballot.hash = record_hash(head, ballot)
    return ballot


@dataclass
class ChainReport:
    """What checking a vote's chain found: ``ok``, or the first bad record and why."""

    records: int
    bad_seq: int | None = None
    bad_id: int | None = None
    reason: str = ""

    @property
    def ok(self):
        """True when every record chains correctly."""
        return self.bad_seq is None


def records(vote_id):
    """Every ballot record of a vote, in recording order."""
    return db.session.scalars(
        sa.select(Ballot).where(Ballot.vote_id == vote_id).order_by(Ballot.seq, Ballot.id)
    ).all()


def verify_chain(vote_id):
    """Check every record's position, link and hash; stops at the first bad one."""
    prev, rows = GENESIS, records(vote_id)
    for expected_seq, ballot in enumerate(rows, start=1):
        problem = None
        if ballot.seq != expected_seq:
            problem = f"expected record {expected_seq}, found {ballot.seq}"
        elif ballot.prev_hash != prev:
            problem = "does not link to the previous record"
        elif ballot.hash != record_hash(prev, ballot):
            problem = "content does not match its hash"
        if problem:
            return ChainReport(len(rows), ballot.seq, ballot.id, problem)
        prev = ballot.hash
    return ChainReport(len(rows))


def current_pointers_match(vote_id):
    """True when ``current_ballots`` points at the latest record of every voter, and only those."""
    latest = {ballot.voter_key: ballot.id for ballot in records(vote_id)}
    pointed = dict(db.session.execute(
        sa.select(CurrentBallot.voter_key, CurrentBallot.ballot_id)
        .where(CurrentBallot.vote_id == vote_id)
    ).all())
    return latest == pointed


CSV_COLUMNS = ["seq", "recorded_at", "receipt", "voter", "unit_id", "cast_by", "channel",
               "choice", "note", "superseded", "prev_hash", "hash", "recorded_by",
               "proxy_authorisation"]


def ballots_csv(vote_id):
    """The audit export of a vote's records as CSV text (cells safe to open in a spreadsheet)."""
    current = set(db.session.scalars(
        sa.select(CurrentBallot.ballot_id).where(CurrentBallot.vote_id == vote_id)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for b in records(vote_id):
        writer.writerow([_cell(value) for value in (
            b.seq, b.recorded_at.isoformat(), b.receipt, b.voter_key, b.unit_id or "",
            b.cast_by.username, b.channel, b.choice, b.note or "",
            "no" if b.id in current else "yes", b.prev_hash, b.hash, b.recorded_by,
            _authorisation_text(b))])
    return out.getvalue()


def _authorisation_text(ballot):
    """A proxy ballot's authorisation in one cell: id, owner, proxy, date and note."""
    if ballot.proxy_id is None:
        return ""
    p = ballot.proxy
    return f"#{p.id} owner:{p.owner_id} proxy:{p.proxy_id} signed {p.signed_on}: {p.note}"


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
