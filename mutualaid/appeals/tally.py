"""The open board's counters: for each community, grid, category and local day of filing, the
counts every figure is made of. Each step adds what it changed (``apply``), so a board adds
up a few thousand counter rows however many appeals there are. ``rebuild`` counts them
afresh from the appeals (after a bulk import, or a change of ``TIMEZONE``).
"""
import sqlalchemy as sa

from mutualaid.appeals.models import Appeal, AppealBoardDay
from mutualaid.appeals.period import local_zone
from mutualaid.core.database import upsert
from mutualaid.core.extensions import db

COUNTS = ("received", "accepted_in_time", "resolved", "rated", "satisfied",
          "basically_satisfied", "unrated_closed", "timed")
NO_GRID = 0  # the grid key of appeals in no grid (a key column cannot be NULL)
KEY = ("community_id", "day", "grid_id", "category")


def snapshot(appeal, zone=None):
    """``(key, counts)``: where an appeal is counted, and its 0/1 in each of ``COUNTS``."""
    key = (appeal.community_id, appeal.created_at.astimezone(zone or local_zone()).date(),
           appeal.grid_id or NO_GRID, appeal.category)
    resolved = appeal.status in ("resolved", "closed") and appeal.resolve_seconds is not None
    return key, (1, int(appeal.accepted_in_time is True), int(resolved),
                 int(appeal.rating is not None), int(appeal.rating == "satisfied"),
                 int(appeal.rating == "basically_satisfied"), int(bool(appeal.closed_unrated)),
                 int(appeal.resolve_seconds is not None))


def apply(changes):
    """Count ``[(snapshot before or None for a new appeal, appeal now)]``."""
    zone, deltas = local_zone(), {}
    for before, appeal in changes:
        if before is not None:
            _count(deltas, *before, sign=-1)
        _count(deltas, *snapshot(appeal, zone))
    _add({key: total for key, total in deltas.items() if any(total)})


def _count(totals, key, counts, sign=1):
    """Add ``sign`` × ``counts`` to ``totals[key]``."""
    total = totals.setdefault(key, [0] * len(COUNTS))
    for index, count in enumerate(counts):
        total[index] += sign * count


def _add(deltas):
    """Add ``{key: [counts]}`` to the counter rows, making those missing."""
    if not deltas:
        return
    table = AppealBoardDay.__table__
    insert = upsert(table)
    db.session.execute(
        insert.on_conflict_do_update(index_elements=list(KEY), set_={
            name: table.c[name] + insert.excluded[name] for name in COUNTS}),
        [dict(zip(KEY, key)) | dict(zip(COUNTS, total)) for key, total in deltas.items()])


def rebuild():
    """Count every appeal afresh."""
    db.session.execute(sa.delete(AppealBoardDay))
    zone, totals = local_zone(), {}
    for appeal in db.session.execute(sa.select(
            Appeal.community_id, Appeal.created_at, Appeal.grid_id, Appeal.category,
            Appeal.status, Appeal.accepted_in_time, Appeal.resolve_seconds, Appeal.rating,
            Appeal.closed_unrated).execution_options(yield_per=5000)):
        _count(totals, *snapshot(appeal, zone))
    _add(totals)
