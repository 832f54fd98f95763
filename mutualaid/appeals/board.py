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
    # one community as an equality, so its indexes also give the order (median, page)
    where = (Appeal.community_id == ids[0] if len(ids) == 1 else Appeal.community_id.in_(ids),
             Appeal.created_at >= since, Appeal.created_at < until)
    groups = _groups(community_ids, start, end, rank_by)
    totals = _added(groups)
    ranked = _ranking(groups, rank_by)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        **_figures(totals),
        "median_hours_to_resolve": _median_hours(where, totals["timed"]),
        "by_category": _by_category(groups),
        "ranking": {"praise": ranked[:RANKING_SIZE],
                    "try_harder": ranked[::-1][:RANKING_SIZE]},
        "appeals": _public_page(where, page, per_page),
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


def _median_hours(where, count):
    """The median hours from filing to the first resolution of ``count`` appeals, or None."""
    if not count:
        return None
    middle = db.session.scalars(sa.select(Appeal.resolve_seconds)
                                .where(*where, Appeal.resolve_seconds.is_not(None))
                                .order_by(Appeal.resolve_seconds)
                                .offset((count - 1) // 2).limit(2 - count % 2)).all()
    return round(sum(middle) / len(middle) / 3600, 2)


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


def _public_page(where, page, per_page):
    """The public appeals of the period, newest first, without names or photos: the page's
    ids from the covering index, then only those rows."""
    public = (*where, Appeal.public.is_(True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Appeal).where(*public))
    per_page = max(1, min(per_page, 100))
    pages = -(-total // per_page)
    page = max(1, page)
    ids = db.session.scalars(sa.select(Appeal.id).where(*public)
                             .order_by(Appeal.created_at.desc(), Appeal.id.desc())
                             .offset((page - 1) * per_page).limit(per_page)).all()
    rows = {row.id: row for row in db.session.execute(sa.select(
        Appeal.id, Appeal.category, Appeal.title, Appeal.building_id, Appeal.status,
        Appeal.level, Appeal.created_at, Appeal.reply).where(Appeal.id.in_(ids)))}
    return {"items": [_public(rows[i]) for i in ids], "page": page, "pages": pages,
            "total": total}


def _public(appeal):
    """One public appeal as the board lists it."""
    return {"id": appeal.id, "category": appeal.category, "title": appeal.title,
            "building_id": appeal.building_id, "status": appeal.status, "level": appeal.level,
            "created_at": appeal.created_at.isoformat(), "reply": appeal.reply}
