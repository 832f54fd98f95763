"""The open board (公开透明) of a community or a street: figures over the appeals filed in a
period, by category, the praise and try-harder rankings, and the public appeals anonymised.

Every count is added up from the day counters ``tally.py`` keeps (a few rows per community,
grid, category and day, however many appeals there are); only the median (two rows at an
offset) and the page of public appeals read the appeals, each through an index holding all
it reads (``ix_appeals_board_*``).
"""
import threading
import time

import sqlalchemy as sa
from flask import current_app

from mutualaid.appeals.models import Appeal, AppealBoardDay
from mutualaid.appeals.period import period
from mutualaid.appeals.tally import COUNTS
from mutualaid.core.extensions import db
from mutualaid.places.models import Community
from mutualaid.streets.models import Grid

CACHE_SECONDS = 5  # DESIGN: the board may lag changes by at most 5 s
CACHE_SIZE = 256
_lock = threading.Lock()
RANKED_MINIMUM = 3
RANKING_SIZE = 10
MERGED_MAXIMUM = 400  # communities merged in order (SQLite allows 500 arms in a UNION)


def rate(part, whole):
    """``part / whole`` with 4 decimals, or None without a denominator."""
    return round(part / whole, 4) if whole else None


def _figures(counts):
    """The counts (a dict of ``COUNTS``) and the rates they give."""
    figures = {key: counts[key] for key in COUNTS if key != "timed"}
    figures["acceptance_rate"] = rate(figures["accepted_in_time"], figures["received"])
    figures["resolution_rate"] = rate(figures["resolved"], figures["received"])
    figures["satisfaction_rate"] = rate(figures["satisfied"] + figures["basically_satisfied"],
                                        figures["rated"])
    return figures


def _added(rows):
    """The counts of ``rows`` added up."""
    return {key: sum(row[key] for row in rows) for key in COUNTS}


def board(community_ids, start=None, end=None, page=1, per_page=20, rank_by="grid"):
    """The board over ``community_ids`` for the local dates ``start``..``end``; ``rank_by``
    is ``grid`` (a community's board) or ``community`` (a street's). Kept per process for
    ``APPEALS_BOARD_CACHE_SECONDS`` (default 5; 0 builds every request afresh)."""
    start, end, since, until = period(start, end)
    key = (tuple(sorted(community_ids)), start, end, page, per_page, rank_by)
    seconds = float(current_app.config.get("APPEALS_BOARD_CACHE_SECONDS", CACHE_SECONDS))
    cache = current_app.extensions.setdefault("appeals_board_cache", {})
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    result = _build(community_ids, start, end, since, until, page, per_page, rank_by)
    if seconds > 0:
        with _lock:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            cache[key] = (time.monotonic(), result)
    return result


def _build(community_ids, start, end, since, until, page, per_page, rank_by):
    """The board's figures, read from the database: every count from the day counters of
    ``tally.py``, then the median and the page of public appeals from the appeals."""
    ids = sorted(community_ids)
    period_of = (Appeal.created_at >= since, Appeal.created_at < until)
    groups = _groups(community_ids, start, end, rank_by)
    totals = _added(groups)
    ranked = _ranking(groups, rank_by)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        **_figures(totals),
        "median_hours_to_resolve": _median_hours(ids, period_of, totals["timed"]),
        "by_category": _by_category(groups),
        "ranking": {"praise": ranked[:RANKING_SIZE],
                    "try_harder": ranked[::-1][:RANKING_SIZE]},
        "appeals": _public_page(ids, period_of, page, per_page),
    }


def _groups(community_ids, start, end, rank_by):
    """The counts of the local days ``start``..``end`` by grid (or community) and category:
    ``[{key, category, **counts}]``, ``key`` None for appeals in no grid."""
    day = AppealBoardDay
    key = day.grid_id if rank_by == "grid" else day.community_id
    rows = db.session.execute(
        sa.select(key.label("key"), day.category,
                  *(sa.func.sum(getattr(day, name)).label(name) for name in COUNTS))
        .where(day.community_id.in_(sorted(community_ids)), day.day >= start, day.day <= end)
        .group_by(key, day.category))
    return [{"key": row.key or None, "category": row.category,
             **{name: int(getattr(row, name)) for name in COUNTS}} for row in rows]


def _median_hours(community_ids, period_of, count):
    """The median hours from filing to the first resolution of the ``count`` appeals of
    ``community_ids`` filed in the period (``period_of``), or None."""
    if not count:
        return None
    middle = db.session.scalars(_resolve_seconds_in_order(community_ids, period_of)
                                .offset((count - 1) // 2).limit(2 - count % 2)).all()
    return round(sum(middle) / len(middle) / 3600, 2)


def _of(community_ids):
    """Appeals of ``community_ids``: one as an equality, so its indexes also give the order."""
    if len(community_ids) == 1:
        return Appeal.community_id == community_ids[0]
    return Appeal.community_id.in_(community_ids)


def _merged(community_ids):
    """Whether to read several communities one by one, each in its index's order, and merge:
    one query over all of them would sort all their rows. Beyond ``MERGED_MAXIMUM`` (SQLite
    takes 500 arms in a UNION) one query sorts."""
    return 1 < len(community_ids) <= MERGED_MAXIMUM


def _resolve_seconds_in_order(community_ids, period_of):
    """The resolution seconds of the period in ascending order: each community's in order
    from ``ix_appeals_board_median``, several as a UNION ALL merged in order (SQLite's
    MERGE, PostgreSQL's Append or Merge Append) rather than sorted."""
    def timed(*where):
        return sa.select(Appeal.resolve_seconds.label("seconds")).where(
            *where, Appeal.resolve_seconds.is_not(None), *period_of)

    if not _merged(community_ids):
        return timed(_of(community_ids)).order_by(Appeal.resolve_seconds)
    merged = sa.union_all(*(timed(Appeal.community_id == community_id)
                            for community_id in community_ids)).subquery()
    return sa.select(merged.c.seconds).order_by(merged.c.seconds)


def _by_category(groups):
    """``{code: {received, resolved}}`` of the categories appealed in the period."""
    codes = sorted({group["category"] for group in groups})
    return {code: {name: sum(g[name] for g in groups if g["category"] == code)
                   for name in ("received", "resolved")} for code in codes}


def _ranking(groups, rank_by):
    """The grids (or communities) with at least 3 appeals, best first: by resolution rate,
    then satisfaction rate, then received."""
    model = Grid if rank_by == "grid" else Community
    by_key = {}
    for group in groups:
        if group["key"] is not None:
            by_key.setdefault(group["key"], []).append(group)
    counts = {key: _added(rows) for key, rows in by_key.items()}
    counts = {key: c for key, c in counts.items() if c["received"] >= RANKED_MINIMUM}
    names = dict(db.session.execute(sa.select(model.id, model.name)
                                    .where(model.id.in_(sorted(counts)))).all())
    ranked = []
    for key, c in counts.items():
        figures = _figures(c)
        ranked.append({"kind": rank_by, "id": key, "name": names[key],
                       "received": figures["received"],
                       "resolution_rate": figures["resolution_rate"],
                       "satisfaction_rate": figures["satisfaction_rate"]})
    ranked.sort(key=lambda r: (-(r["resolution_rate"] or 0),
                               -(r["satisfaction_rate"] if r["satisfaction_rate"] is not None
                                 else -1), -r["received"], r["id"]))
    return ranked


def _public_page(community_ids, period_of, page, per_page):
    """The public appeals of the period, newest first, without names or photos: the page's
    ids from the covering index, then only those rows."""
    public = (Appeal.public.is_(True), *period_of)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Appeal)
                              .where(_of(community_ids), *public))
    per_page = max(1, min(per_page, 100))
    pages = -(-total // per_page)
    page = max(1, page)
    ids = db.session.scalars(_newest(community_ids, public, page * per_page)
                             .offset((page - 1) * per_page).limit(per_page)).all()
    rows = {row.id: row for row in db.session.execute(sa.select(
        Appeal.id, Appeal.category, Appeal.title, Appeal.building_id, Appeal.status,
        Appeal.level, Appeal.created_at, Appeal.reply).where(Appeal.id.in_(ids)))}
    return {"items": [_public(rows[i]) for i in ids], "page": page, "pages": pages,
            "total": total}


def _newest(community_ids, public, count):
    """The ids of the ``count`` newest ``public`` appeals, newest first: several communities
    as a UNION ALL of each one's ``count`` newest (from ``ix_appeals_board_public``), so only
    those few are sorted."""
    def newest(*where):
        return (sa.select(Appeal.id, Appeal.created_at).where(*where, *public)
                .order_by(Appeal.created_at.desc(), Appeal.id.desc()))

    if not _merged(community_ids):
        return newest(_of(community_ids)).with_only_columns(Appeal.id)
    merged = sa.union_all(*(newest(Appeal.community_id == community_id).limit(count)
                            .subquery().select() for community_id in community_ids)).subquery()
    return sa.select(merged.c.id).order_by(merged.c.created_at.desc(), merged.c.id.desc())


def _public(appeal):
    """One public appeal as the board lists it."""
    return {"id": appeal.id, "category": appeal.category, "title": appeal.title,
            "building_id": appeal.building_id, "status": appeal.status, "level": appeal.level,
            "created_at": appeal.created_at.isoformat(), "reply": appeal.reply}
