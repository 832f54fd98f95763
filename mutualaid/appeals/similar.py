"""One case to one class: open appeals like a new one (same category within 200 m, or a
similar text: Chinese segmented by jieba, compared by rapidfuzz), and recurring problems."""
import logging
from collections import Counter

import jieba
import sqlalchemy as sa
from geopy.distance import great_circle
from rapidfuzz import fuzz

from mutualaid.appeals.access import Scope
from mutualaid.appeals.models import OPEN_STATUSES, Appeal
from mutualaid.appeals.period import local_zone, period
from mutualaid.core.extensions import db
from mutualaid.places.models import Building

NEAR_M = 200
TEXT_THRESHOLD = 0.6
CANDIDATES = 500  # the newest open appeals of a community compared with the text
jieba.setLogLevel(logging.WARNING)


def words(text):
    """The text cut into words (jieba for Chinese; other scripts by spaces), lower-cased."""
    return " ".join(word for word in jieba.lcut((text or "").lower()) if word.strip())


def similar_appeals(viewer, category, building, text="", limit=10):
    """``[(appeal, score, distance_m)]`` of the open appeals of the building's community the
    viewer may see, best first: same category within 200 m, or a similar text."""
    scope = Scope(viewer)
    candidates = db.session.execute(
        sa.select(Appeal, Building).join(Building, Building.id == Appeal.building_id)
        .where(Appeal.community_id == building.community_id,
               Appeal.status.in_(OPEN_STATUSES))
        .order_by(Appeal.created_at.desc(), Appeal.id.desc()).limit(CANDIDATES)).all()
    query = words(text)
    found = []
    for appeal, place in candidates:
        if not scope.sees(appeal):
            continue
        distance = round(great_circle((building.lat, building.lon), (place.lat, place.lon)).meters)
        score = _score(appeal, category, distance, query)
        if score is not None:
            found.append((appeal, score, distance))
    found.sort(key=lambda item: (-item[1], item[2], -item[0].id))
    return found[:limit]


def _score(appeal, category, distance, query):
    """How alike an appeal is, 0..1, or None when it is not alike."""
    scores = []
    if appeal.category == category and distance <= NEAR_M:
        scores.append(0.5 + 0.5 * (1 - distance / NEAR_M))
    if query:
        ratio = fuzz.token_set_ratio(query, words(f"{appeal.title} {appeal.description}")) / 100
        if ratio >= TEXT_THRESHOLD:
            scores.append(ratio)
    return round(max(scores), 4) if scores else None


def recurring(community_id, start, end):
    """``[{category, building_id, month, count}]`` of appeals filed from ``start`` to ``end``
    (dates, inclusive, the community's time zone), most first."""
    zone = local_zone()
    _start, _end, since, until = period(start, end)
    rows = db.session.execute(
        sa.select(Appeal.category, Appeal.building_id, Appeal.created_at)
        .where(Appeal.community_id == community_id, Appeal.created_at >= since,
               Appeal.created_at < until)).all()
    counts = Counter((category, building_id, at.astimezone(zone).strftime("%Y-%m"))
                     for category, building_id, at in rows)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"category": c, "building_id": b, "month": m, "count": n}
            for (c, b, m), n in ranked]
