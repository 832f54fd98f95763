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


def _counts():
    """The aggregate columns every figure (and ranking row) is made of."""
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
    )


def rate(part, whole):
    """``part / whole`` with 4 decimals, or None without a denominator."""
    return round(part / whole, 4) if whole else None


def _figures(row):
    """The counts of one aggregate row and the rates they give."""
    figures = {key: int(getattr(row, key) or 0) for key in (
        "received", "accepted_in_time", "resolved", "rated", "satisfied",
        "basically_satisfied", "unrated_closed")}
    figures["acceptance_rate"] = rate(figures["accepted_in_time"], figures["received"])
    figures["resolution_rate"] = rate(figures["resolved"], figures["received"])
    figures["satisfaction_rate"] = rate(figures["satisfied"] + figures["basically_satisfied"],
                                        figures["rated"])
    return figures


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
    """The board's figures, read from the database."""
    where = (Appeal.community_id.in_(sorted(community_ids)), Appeal.created_at >= since,
             Appeal.created_at < until)
    figures = _figures(db.session.execute(sa.select(*_counts()).where(*where)).one())
    figures["median_hours_to_resolve"] = _median_hours(where)
    ranked = _ranking(where, rank_by)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        **figures,
        "by_category": _by_category(where),
        "ranking": {"praise": ranked[:RANKING_SIZE],
                    "try_harder": ranked[::-1][:RANKING_SIZE]},
        "appeals": _public_page(where, page, per_page),
    }


def _median_hours(where):
    """The median hours from filing to the first resolution, or None."""
    done = (*where, Appeal.resolve_seconds.is_not(None))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Appeal).where(*done))
    if not count:
        return None
    middle = db.session.scalars(sa.select(Appeal.resolve_seconds).where(*done)
                                .order_by(Appeal.resolve_seconds)
                                .offset((count - 1) // 2).limit(2 - count % 2)).all()
    return round(sum(middle) / len(middle) / 3600, 2)


def _by_category(where):
    """``{code: {received, resolved}}`` of the categories appealed in the period."""
    resolved = sa.func.sum(sa.case((sa.and_(RESOLVED, Appeal.resolve_seconds.is_not(None)),
                                    1), else_=0))
    rows = db.session.execute(sa.select(Appeal.category, sa.func.count(Appeal.id), resolved)
                              .where(*where).group_by(Appeal.category)).all()
    return {code: {"received": int(received), "resolved": int(done or 0)}
            for code, received, done in sorted(rows)}


def _ranking(where, rank_by):
    """The grids (or communities) with at least 3 appeals, best first: by resolution rate,
    then satisfaction rate, then received."""
    if rank_by == "grid":
        key, model = Appeal.grid_id, Grid
        extra = (Appeal.grid_id.is_not(None),)
    else:
        key, model, extra = Appeal.community_id, Community, ()
    rows = db.session.execute(
        sa.select(key.label("key"), model.name, *_counts())
        .join(model, model.id == key).where(*where, *extra).group_by(key, model.name)
        .having(sa.func.count(Appeal.id) >= RANKED_MINIMUM)).all()
    ranked = []
    for row in rows:
        figures = _figures(row)
        ranked.append({"kind": rank_by, "id": row.key, "name": row.name,
                       "received": figures["received"],
                       "resolution_rate": figures["resolution_rate"],
                       "satisfaction_rate": figures["satisfaction_rate"]})
    ranked.sort(key=lambda r: (-(r["resolution_rate"] or 0),
                               -(r["satisfaction_rate"] if r["satisfaction_rate"] is not None
                                 else -1), -r["received"], r["id"]))
    return ranked


def _public_page(where, page, per_page):
    """The public appeals of the period, newest first, without names or photos."""
    select = (sa.select(Appeal).where(*where, Appeal.public.is_(True))
              .order_by(Appeal.created_at.desc(), Appeal.id.desc()))
    result = db.paginate(select, page=page, per_page=per_page, error_out=False,
                         max_per_page=100)
    return {"items": [{"id": a.id, "category": a.category, "title": a.title,
                       "building_id": a.building_id, "status": a.status, "level": a.level,
                       "created_at": a.created_at.isoformat(), "reply": a.reply}
                      for a in result.items],
            "page": result.page, "pages": result.pages, "total": result.total}
