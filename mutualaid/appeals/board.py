"""The open board (公开透明) of a community or a street: figures over the appeals filed in a
period, by category, the praise and try-harder rankings, and the public appeals anonymised.

Every figure is an aggregate over the ``ix_appeals_board`` index, which holds every column
they read (so the table itself is not touched); nothing is read row by row but the median
(two rows at an offset) and the page of public appeals.
"""
import threading
import time

import sqlalchemy as sa
from flask import current_app

from mutualaid.appeals.models import Appeal
from mutualaid.appeals.period import period
from mutualaid.core.extensions import db
from mutualaid.places.models import Community
from mutualaid.streets.models import Grid

CACHE_SECONDS = 5  # DESIGN: the board may lag changes by at most 5 s
CACHE_SIZE = 256
_lock = threading.Lock()
RANKED_MINIMUM = 3
RANKING_SIZE = 10
RESOLVED = Appeal.status.in_(("resolved", "closed"))


COUNTS = ("received", "accepted_in_time", "resolved", "rated", "satisfied",
          "basically_satisfied", "unrated_closed", "timed")


def _counts():
    """The aggregate columns every figure (and ranking row) is made of; ``timed`` counts
    the appeals with a first resolution (those the median runs over)."""
    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return (
        sa.func.count(Appeal.id).label("received"),
        count_if(Appeal.accepted_in_time.is_(True)).label("accepted_in_time"),
        count_if(sa.and_(RESOLVED, Appeal.resolve_seconds.is_not(None))).label("resolved"),
        count_if(Appeal.rating.is_not(None)).label("rated"),
        count_if(Appeal.rating == "satisfied").label("satisfied"),
        count_if(Appeal.rating == "basically_satisfied").label("basically_satisfied"),
        count_if(Appeal.closed_unrated.is_(True)).label("unrated_closed"),
        count_if(Appeal.resolve_seconds.is_not(None)).label("timed"),
    )


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
    """The board's figures, read from the database: every count in one grouped aggregate
    over the covering index, then the median and the page of public appeals."""
    where = (Appeal.community_id.in_(sorted(community_ids)), Appeal.created_at >= since,
             Appeal.created_at < until)
    key = Appeal.grid_id if rank_by == "grid" else Appeal.community_id
    groups = [{"key": row.key, "category": row.category,
               **{name: int(getattr(row, name)) for name in COUNTS}}
              for row in db.session.execute(
                  sa.select(key.label("key"), Appeal.category, *_counts())
                  .where(*where).group_by(key, Appeal.category))]
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
    rows = {a.id: a for a in db.session.scalars(sa.select(Appeal).where(Appeal.id.in_(ids)))}
    return {"items": [_public(rows[i]) for i in ids], "page": page, "pages": pages,
            "total": total}


def _public(appeal):
    """One public appeal as the board lists it."""
    return {"id": appeal.id, "category": appeal.category, "title": appeal.title,
            "building_id": appeal.building_id, "status": appeal.status, "level": appeal.level,
            "created_at": appeal.created_at.isoformat(), "reply": appeal.reply}
