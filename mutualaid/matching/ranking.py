"""The matching engine: which neighbours can help with a need, best first.

Who is a candidate
------------------
A verified, active user other than the requester, located at their home building, who has
a skill or an active offer covering at least one of the need's tags (a parent tag covers its
children: ``repair`` covers ``repair.plumbing``) and who is within THAT skill's or offer's
``radius_m`` of the need (great-circle distance, geopy). The radius is the helper's.
A vulnerable requester (``vetted_only``) gets vetted helpers only. A directed need
(``offer_owner_id``) has one candidate, the offer's owner, whatever their radius and tags.

Score (0-100, two decimals; higher is better)
---------------------------------------------
    score = 35 * fit          fit: per wanted tag 1 exact, 0.5 via a parent tag, else 0;
                                   averaged over the need's tags
          + 20 * proximity    1 / (1 + distance_m / 1000): 1 next door, 0.5 at 1 km
          + 10 * same         1 when the helper lives in the need's building
          + 10 * available    1 when the need has no window, or an offer of theirs covering
                              the need is available during it (days, parts of day, UTC+8)
          + 10 * experience   min(completed orders, 10) / 10
          +  5 * rating       (average - 1) / 4; 0.5 while unrated
          + 10 * free         1 / (1 + active orders): fewer current orders is better
Ties: shorter distance first, then lower user id.

How it stays fast
-----------------
Each skill row (and offer) keeps a copy of its owner's home position (refreshed by
``models.follow_moves`` in the same transaction when a user moves or a building is moved), so
the question "whose reach holds this need?" is answered inside one index per table. The
indexes are ordered by the reach grid of ``models.py``: tag, band of the radius (six, topped
by the radii people pick: 1, 2, 3, 5, 10 and 20 km), a latitude cell sized to the band,
longitude. One query arm per band looks up the five or six cells and the longitude span of
the box of that band's longest radius, and keeps the rows within their own radius by a
flat-earth estimate with a 2% margin; the skill rows are grouped per helper inside the same
statement (their tags joined by commas), which reads nothing but the index. The statements
are built once and never change their text (the need is in fixed parameters). Distances come
from the copies; whether a helper lives in the need's building is looked up only for rows at
the need's very position. Whether a helper may help (verified, active, vetted when needed) is
looked up only for the best by the rest of the score and for the contenders for the answer;
for a vulnerable requester's need the skill rows are joined to their users first, since few
pass. A helper with skills of one radius and no offer (most) costs one tuple, with the fit
of their set of tags and the distance of their building worked out once per need. Geopy's
exact great circle is computed for the contenders for the answer (and helpers on the edge of
their radius); the rest are ranked on a flat-earth estimate under a metre off at city scale.
A helper's record is worth at most 25 points: the records of the best by the rest of the
score are loaded first, then only those of helpers who could still reach the list with a
perfect record. Three or four queries (three for a directed need) and one or two calls of
the stats loader, however many candidates there are.
"""
import collections
import functools
import itertools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import get_locale, gettext as _, ngettext
from geopy.distance import great_circle

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.matching import tags as taxonomy
from mutualaid.matching.models import (PARTS, REACH_BAND, REACH_BAND_TOPS, REACH_BANDS,
                                       REACH_CELL, REACH_CELLS_PER_DEGREE, Offer, OfferTag,
                                       UserSkill)
from mutualaid.places.models import Building, Unit

WEIGHTS = {"fit": 35, "proximity": 20, "same_building": 10, "available": 10,
           "experience": 10, "rating": 5, "free": 10}
SCORE_MARGIN = 0.5  # points: far more than a flat-earth distance can move a score
STATS_POINTS = WEIGHTS["experience"] + WEIGHTS["rating"] + WEIGHTS["free"]
FIRST_RECORDS = 2  # times the limit: how many of the best by base have their records loaded first
METRES_PER_DEGREE_LAT = 111_195  # great-circle metres per degree on geopy's mean earth radius
ROUGH_MARGIN = 1.02 / METRES_PER_DEGREE_LAT  # degrees per metre of radius, 2% to spare
# The box of a band's longest reach spans 5 or 6 cells of the reach grid: always 6 (the last
# repeated), so that the query's text never changes and PostgreSQL prepares it once.
BOX_CELLS = 6
# The codes covering a need's tags (each and its ancestors) are parameters too, as many as the
# most a need can have, the last repeated.
CODE_SLOTS = taxonomy.MAX_TAGS * max(code.count(".") + 1 for code in taxonomy.TAXONOMY)
CODE_NAMES = tuple(f"code_{index}" for index in range(CODE_SLOTS))
MAX_TAGS = taxonomy.MAX_TAGS
LOCAL_TIME = timezone(timedelta(hours=8))
MAX_WINDOW_HOURS = 24 * 7


@dataclass(frozen=True)
class Need:
    """An order, as matching sees it."""

    tags: tuple[str, ...]
    lat: float
    lon: float
    building_id: int
    requester_id: int
    vetted_only: bool = False          # requester is vulnerable: vetted helpers only
    offer_owner_id: int | None = None  # directed order: only that user
    window_start: datetime | None = None
    window_end: datetime | None = None
    order_id: int | None = None


@dataclass(frozen=True)
class HelperStats:
    """What the orders feature knows about a helper."""

    completed: int = 0
    active: int = 0
    rating_avg: float | None = None
    rating_count: int = 0


@dataclass
class Candidate:
    """A helper for a need, with the score and the reasons they were chosen."""

    user_id: int
    display_name: str
    score: float
    distance_m: int
    reasons: list[str]

    def as_dict(self):
        """The API shape ``{user_id, display_name, score, distance_m, reasons}``."""
        return {"user_id": self.user_id, "display_name": self.display_name,
                "score": self.score, "distance_m": self.distance_m, "reasons": list(self.reasons)}


StatsLoader = Callable[[list[int]], dict[int, HelperStats]]
_by_base = operator.itemgetter(0)
NO_STATS = HelperStats()


class Capability(NamedTuple):
    """A tag a helper covers, from a skill (offer_id None) or an active offer."""

    tag: str
    radius_m: int
    offer_id: int | None = None
    offer_title: str | None = None
    days: int = 0
    parts: int = 0


@dataclass
class Helper:
    """A possible helper: where they live and what they can do."""

    user_id: int
    display_name: str
    building_id: int
    lat: float
    lon: float
    vetted: bool
    capabilities: list[Capability] = field(default_factory=list)


def rank_candidates(need: Need, stats: StatsLoader, limit: int = 20) -> list[Candidate]:
    """The best helpers for ``need``, at most ``limit``, best first."""
    if limit < 1:
        return []
    if need.offer_owner_id is not None:
        return _rank_directed(need, stats)
    field = _field(need)
    field.sort(key=_by_base, reverse=True)
    # A helper's record adds at most STATS_POINTS: whoever cannot reach the limit-th best
    # score without it, even with a perfect record, is out before any record is loaded. The
    # records of the best by the rest of the score are loaded first; whoever then cannot reach
    # the limit-th best score so far is out too, and only the others still in the running are
    # looked up and asked about (a busy need has thousands of helpers in reach and a few
    # hundred contenders).
    people, head, checked = _best_people(need, field, limit)
    if not head:
        return []
    loaded = stats([row[1] for row in head])
    scores = sorted((base + _record(loaded.get(user_id, NO_STATS)) for base, user_id, *_ in head),
                    reverse=True)
    floor = scores[min(limit, len(scores)) - 1] - STATS_POINTS - SCORE_MARGIN
    rest = _down_to(field[checked:], floor)
    if rest:
        loaded = {**loaded, **stats([row[1] for row in rest])}
    rated = [(round(row[0] + _record(loaded.get(row[1], NO_STATS)), 2), row[2], row[1], row)
             for row in head + rest]
    rated.sort(key=lambda item: (-item[0], item[1], item[2]))
    # Distances so far are flat-earth estimates (under a metre off at city scale, under 0.05
    # points of score): settle every contender for the answer with the exact great circle.
    rated = _rated(need, [(Helper(user_id, *people[user_id][:2], lat, lon, people[user_id][2],
                                  list(reach)), _distance(need, lat, lon), reach)
                          for _base, user_id, _d, lat, lon, reach in
                          _answerable(need, rated, people, limit)], loaded)
    # reasons (translated strings) only for the ones answered
    return [_candidate(need, helper, distance, reach, loaded.get(helper.user_id, NO_STATS))
            for _score, helper, distance, reach in rated[:limit]]


def _answerable(need, rated, people, limit):
    """The field rows of the contenders for the answer: of ``rated`` (score, distance, user id,
    row), best first, those who may help (``_people_of``, looked up only now for the ones
    not known yet) within SCORE_MARGIN of the limit-th best of them."""
    refused = set()
    while True:
        kept = [item for item in rated if item[2] not in refused]
        if not kept:
            return []
        cut = kept[min(limit, len(kept)) - 1][0] - SCORE_MARGIN
        contenders = _down_to(kept, cut)
        unknown = [item[2] for item in contenders if item[2] not in people]
        if not unknown:
            return [item[3] for item in contenders]
        people.update(_people_of(need, unknown))
        refused.update(user_id for user_id in unknown if user_id not in people)


def _best_people(need, field, limit):
    """(people, head, checked): who among the best of ``field`` (sorted by base) may help
    (``_people_of``), looked up from the top until FIRST_RECORDS * limit of them are found
    (in batches at least doubling, should many be turned away); the head is those of them who
    could still reach the limit-th best with a perfect record; ``checked`` how many rows of
    the field were looked up."""
    people, eligible, checked = {}, [], 0
    wanted = FIRST_RECORDS * limit
    while len(eligible) < wanted and checked < len(field):
        batch = field[checked:checked + max(wanted - len(eligible), checked)]
        people.update(_people_of(need, [row[1] for row in batch]))
        eligible += [row for row in batch if row[1] in people]
        checked += len(batch)
    floor = (eligible[limit - 1][0] - STATS_POINTS - SCORE_MARGIN if len(eligible) >= limit
             else -math.inf)
    return people, _down_to(eligible, floor), checked


def _down_to(rows, floor):
    """The rows, best first, whose base score is at least ``floor``."""
    return list(itertools.takewhile(lambda row: row[0] >= floor, rows))


def _rank_directed(need, stats):
    """A directed need's one candidate, the offer's owner, whatever their radius and tags."""
    helper = _load_helper(need.offer_owner_id)
    if helper is None or not _eligible(need, helper):
        return []
    distance = _distance(need, helper.lat, helper.lon)
    record = stats([helper.user_id]).get(helper.user_id, NO_STATS)
    return [_candidate(need, helper, distance, _reach(need, helper, distance), record)]


def _rated(need, reached, loaded):
    """(score, helper, distance, reach) best first: score, then distance, then user id."""
    return _sorted([(_rate(need, helper, distance, reach, loaded.get(helper.user_id, NO_STATS)),
                     helper, distance, reach) for helper, distance, reach in reached])


def _sorted(rated):
    """(score, helper, distance, reach) rows in the answer's order: score, distance, user id."""
    rated.sort(key=lambda item: (-item[0], item[2], item[1].user_id))
    return rated


def rank_needs_for(user: User, needs: list[Need], stats: StatsLoader,
                   limit: int = 20) -> list[tuple[Need, Candidate]]:
    """Suggestions: the needs this user fits, best first (same rules, seen from the helper)."""
    if not user.active or not user.verified or not needs:
        return []
    helper = _load_helper(user.id)
    if helper is None:
        return []
    own = stats([user.id]).get(user.id, HelperStats())
    matches = []
    for need in needs:
        if not _eligible(need, helper):
            continue
        distance = _distance(need, helper.lat, helper.lon)
        reach = _reach(need, helper, distance)
        if reach is not None:
            matches.append((need, _candidate(need, helper, distance, reach, own)))
    matches.sort(key=lambda pair: (-pair[1].score, pair[1].distance_m, pair[0].order_id or 0))
    return matches[:limit]


def reach_box(user):
    """(min_lat, max_lat, min_lon, max_lon) around the user's home that holds every need their
    skills and active offers can reach, to prefilter open orders for ``rank_needs_for`` in SQL;
    None when the user cannot help (not verified, no home, nothing listed)."""
    helper = _load_helper(user.id) if user.active and user.verified else None
    if helper is None or not helper.capabilities:
        return None
    dlat = max(cap.radius_m for cap in helper.capabilities) / METRES_PER_DEGREE_LAT * 1.02
    dlon = dlat / max(math.cos(math.radians(min(abs(helper.lat) + dlat, 89.9))), 1e-6)
    return helper.lat - dlat, helper.lat + dlat, helper.lon - dlon, helper.lon + dlon


def covering_codes(wanted):
    """Every skill code that covers one of ``wanted``: the tags and their ancestors."""
    codes = set()
    for tag in wanted:
        while tag:
            codes.add(tag)
            tag = taxonomy.parent_of(tag)
    return sorted(codes)


# --- the pure rules --------------------------------------------------------------------------

def _eligible(need, helper):
    """The exclusions that do not depend on tags or distance."""
    if helper.user_id == need.requester_id:
        return False
    if need.vetted_only and not helper.vetted:
        return False
    return need.offer_owner_id is None or helper.user_id == need.offer_owner_id


def _flat_distance(need, lat, lon):
    """A cheap equirectangular estimate in metres: under a metre off the great circle at city
    scale, so it ranks the field; the answer is settled with ``_distance``."""
    dlon = (lon - need.lon) * math.cos(math.radians((lat + need.lat) / 2))
    return math.hypot(lat - need.lat, dlon) * METRES_PER_DEGREE_LAT


def _distance(need, lat, lon):
    """Great-circle distance in whole metres."""
    return round(great_circle((need.lat, need.lon), (lat, lon)).meters)


def _reach(need, helper, distance):
    """The capabilities that reach the need (within their radius and covering a wanted tag);
    None when the helper is not a candidate. A directed need's owner always qualifies."""
    reaching = [cap for cap in helper.capabilities if distance <= cap.radius_m
                and any(taxonomy.covers(cap.tag, wanted) for wanted in need.tags)]
    if reaching or need.offer_owner_id == helper.user_id:
        return reaching
    return None


def _best_covers(need, reaching):
    """Per wanted tag that is covered: (cover, the capability covering it best)."""
    best = {}
    for wanted in need.tags:
        options = [(taxonomy.covers(cap.tag, wanted), cap.offer_id or 0, cap) for cap in reaching]
        options = [option for option in options if option[0]]
        if options:
            cover, _offer, cap = max(options, key=lambda option: option[:2])
            best[wanted] = (cover, cap)
    return best


def _available(need, reaching):
    """1 without a window; else whether an offer among ``reaching`` is available in it."""
    if need.window_start is None:
        return 1.0
    slots = _window_slots(need.window_start, need.window_end or need.window_start)
    for cap in reaching:
        if cap.offer_id is not None and any(cap.days >> day & 1 and cap.parts >> part & 1
                                            for day, part in slots):
            return 1.0
    return 0.0


@functools.lru_cache(maxsize=1024)
def _window_slots(start, end):
    """The (weekday, part of day) pairs a window touches, in China Standard Time."""
    slots = set()
    hour = start.astimezone(LOCAL_TIME).replace(minute=0, second=0, microsecond=0)
    last = max(end, start).astimezone(LOCAL_TIME)
    for _step in range(MAX_WINDOW_HOURS):
        for index, (begin, stop) in enumerate(PARTS.values()):
            if begin <= hour.hour < stop:
                slots.add((hour.weekday(), index))
        hour += timedelta(hours=1)
        if hour >= last:
            break
    return frozenset(slots)


@functools.lru_cache(maxsize=4096)
def _cover_row(skill, wanted_tags):
    """How ``skill`` covers each wanted tag (``taxonomy.covers``), computed once per pair: a
    busy need has thousands of candidates and only a handful of distinct skills among them."""
    return tuple(taxonomy.covers(skill, wanted) for wanted in wanted_tags)


def _fit(need, reaching):
    """Per wanted tag the best cover by any of ``reaching``, summed, over 2 per tag (0..1)."""
    if not need.tags or not reaching:
        return 0
    rows = [_cover_row(cap.tag, need.tags) for cap in reaching]
    best = rows[0] if len(rows) == 1 else [max(column) for column in zip(*rows)]
    return sum(best) / (2 * len(need.tags))


def _base(need, helper, distance, reaching):
    """The part of the score that does not depend on the helper's record."""
    return _base_of(_fit(need, reaching), distance, helper.building_id == need.building_id,
                    _available(need, reaching))


def _base_of(fit, distance, same_building, available):
    """The weighted fit, proximity, same building and availability."""
    return (WEIGHTS["fit"] * fit + WEIGHTS["proximity"] / (1 + distance / 1000)
            + WEIGHTS["same_building"] * same_building + WEIGHTS["available"] * available)


def _record(stats):
    """The part of the score from the helper's record: at most STATS_POINTS."""
    rating = (stats.rating_avg - 1) / 4 if stats.rating_count and stats.rating_avg else 0.5
    return (WEIGHTS["experience"] * min(max(stats.completed, 0), 10) / 10
            + WEIGHTS["rating"] * min(max(rating, 0.0), 1.0)
            + WEIGHTS["free"] / (1 + max(stats.active, 0)))


def _rate(need, helper, distance, reaching, stats):
    """The score (0-100, two decimals): the weighted parts of the module docstring."""
    return round(_base(need, helper, distance, reaching) + _record(stats), 2)


def _candidate(need, helper, distance, reaching, stats):
    """The scored Candidate with its reasons (in the current language)."""
    best = _best_covers(need, reaching)
    reasons = _reasons(need, helper, distance, best, _available(need, reaching), stats)
    return Candidate(helper.user_id, helper.display_name,
                     _rate(need, helper, distance, reaching, stats), distance, reasons)


def _reasons(need, helper, distance, best, available, stats):
    """Short human-readable reasons, e.g. "knows Plumbing", "same building", "320 m away"."""
    locale = get_locale()
    reasons = []
    if need.offer_owner_id == helper.user_id:
        reasons.append(_("asked for by name"))
    for _cover, cap in best.values():
        reason = (_("offers “%(title)s”", title=cap.offer_title) if cap.offer_id else
                  _("knows %(skill)s", skill=taxonomy.tag_name(cap.tag, locale)))
        if reason not in reasons:
            reasons.append(reason)
    if helper.building_id == need.building_id:
        reasons.append(_("same building"))
    reasons.append(_("%(metres)s m away", metres=distance) if distance < 1000 else
                   _("%(km).1f km away", km=distance / 1000))
    if need.window_start is not None and available:
        reasons.append(_("available then"))
    if stats.completed:
        reasons.append(ngettext("%(num)s order completed", "%(num)s orders completed",
                                stats.completed))
    if stats.rating_count and stats.rating_avg:
        reasons.append(_("rated %(rating).1f", rating=stats.rating_avg))
    return reasons


# --- loading from the database ---------------------------------------------------------------

HELPER_COLUMNS = (User.id.label("user_id"), User.display_name, Building.id.label("building_id"),
                  Building.lat, Building.lon, User.vetted)
OFFER_COLUMNS = (OfferTag.tag, Offer.radius_m, Offer.id.label("offer_id"), Offer.title,
                 Offer.available_days, Offer.available_parts)


def _people(need=None):
    """Conditions on users: verified and active; for a need, not the requester and vetted
    when it must be."""
    conditions = [User.verified_at.is_not(None), User.active.is_(True)]
    if need is not None:
        conditions.append(User.id != need.requester_id)
        if need.vetted_only:
            conditions.append(User.vetted.is_(True))
    return conditions


def _home(select):
    """Join users (already in ``select``) to their home unit and building."""
    return (select.join(Unit, Unit.id == User.unit_id)
            .join(Building, Building.id == Unit.building_id))


def _reach_params(need, codes):
    """The values for the reach queries' parameters (``_in_reach``) for ``need``."""
    cos_lat = max(math.cos(math.radians(min(abs(need.lat) + 0.2, 89.9))), 1e-6)
    if len(codes) > CODE_SLOTS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    params = {**dict(zip(CODE_NAMES, codes + codes[-1:] * (CODE_SLOTS - len(codes)))),
              "requester": need.requester_id, "lat": need.lat, "lon": need.lon,
              "scale": math.cos(math.radians(need.lat)), "within": ROUGH_MARGIN ** 2}
    for band, top in enumerate(REACH_BAND_TOPS):
        dlat = top * ROUGH_MARGIN  # the band's longest radius, in degrees
        low = (need.lat - dlat) * REACH_CELLS_PER_DEGREE / (top // 1000)
        high = (need.lat + dlat) * REACH_CELLS_PER_DEGREE / (top // 1000)
        cells = list(range(math.floor(low), math.ceil(high) + 1))
        params.update(zip(_cell_names(band), cells + cells[-1:] * (BOX_CELLS - len(cells))))
        params[f"west_{band}"] = need.lon - dlat / cos_lat
        params[f"east_{band}"] = need.lon + dlat / cos_lat
    return params


@functools.cache
def _cell_names(band):
    """The names of the parameters for the BOX_CELLS cells of ``band``."""
    return tuple(f"cell_{band}_{index}" for index in range(BOX_CELLS))


def _codes_in(tag):
    """SQL: ``tag`` is one of the covering codes (CODE_NAMES, padded with repeats, which
    both databases drop before they look anything up)."""
    return tag.in_([sa.bindparam(name) for name in CODE_NAMES])


def _in_reach(band, lat, lon, radius):
    """SQL conditions of one band, answered inside a reach index: the row is in ``band``, in
    the cells and the longitude span of the box of the band's longest radius around the need,
    and within its own radius of it by a flat-earth estimate with a 2% margin (which only
    ever keeps more than the great circle would)."""
    param = sa.bindparam
    dlat, dlon = lat - param("lat"), (lon - param("lon")) * param("scale")
    return (sa.literal_column(REACH_BAND) == band,
            sa.literal_column(REACH_CELL).in_([param(name) for name in _cell_names(band)]),
            lon.between(param(f"west_{band}"), param(f"east_{band}")),
            dlat * dlat + dlon * dlon <= radius * radius * param("within", type_=sa.Float))


def _vetted(select, user_id):
    """``select`` narrowed to rows of verified, active, vetted users (a vulnerable requester's
    need: few rows pass, so the join is worth it before grouping)."""
    return select.join(User, User.id == user_id).where(*_people(), User.vetted.is_(True))


def _same_building(lat, lon, user_id):
    """SQL: whether the row's owner lives in the need's building. Only rows at the need's very
    position (copies of the same building's) can, so only those look their unit up."""
    lives_there = (sa.select(Unit.id).join(User, User.unit_id == Unit.id)
                   .where(User.id == user_id, Unit.building_id == sa.bindparam("building"))
                   .exists())
    return sa.case((sa.and_(lat == sa.bindparam("lat"), lon == sa.bindparam("lon")), lives_there),
                   else_=sa.false())


@functools.cache
def _skill_query(vetted_only):
    """(user id, lat, lon, radius, their tags among ``codes`` joined by commas, same building)
    per helper (and radius, should a helper's skills differ in it) whose skills' reach holds the
    need, found band by band inside ix_user_skills_reach and grouped there: no join per row.
    Built once: the need is in the parameters (``_reach_params``)."""
    found = sa.union_all(*(
        sa.select(UserSkill.user_id, UserSkill.tag, UserSkill.radius_m, UserSkill.lat,
                  UserSkill.lon)
        .where(_codes_in(UserSkill.tag),
               UserSkill.user_id != sa.bindparam("requester"),
               *_in_reach(band, UserSkill.lat, UserSkill.lon, UserSkill.radius_m))
        for band in range(REACH_BANDS))).subquery()
    columns = (found.c.user_id, found.c.lat, found.c.lon, found.c.radius_m)
    grouped = sa.select(*columns, sa.func.aggregate_strings(found.c.tag, ",").label("tags"))
    if vetted_only:
        grouped = _vetted(grouped, found.c.user_id)
    grouped = grouped.group_by(*columns).subquery()
    return sa.select(*grouped.c, _same_building(grouped.c.lat, grouped.c.lon, grouped.c.user_id))


@functools.cache
def _offer_query(vetted_only):
    """(owner id, lat, lon, same building, then the capability) per tag among ``codes`` of the
    active offers whose reach holds the need (ix_offers_reach)."""
    found = sa.union_all(*(
        sa.select(Offer.id).where(Offer.active.is_(True),
                                  *_in_reach(band, Offer.lat, Offer.lon, Offer.radius_m))
        for band in range(REACH_BANDS))).subquery()
    tagged = sa.and_(OfferTag.offer_id == Offer.id, _codes_in(OfferTag.tag))
    select = (sa.select(Offer.owner_id, Offer.lat, Offer.lon,
                        _same_building(Offer.lat, Offer.lon, Offer.owner_id), *OFFER_COLUMNS)
              .select_from(found).join(Offer, Offer.id == found.c.id).join(OfferTag, tagged)
              .where(Offer.owner_id != sa.bindparam("requester")))
    return _vetted(select, Offer.owner_id) if vetted_only else select


class _Reckoner:
    """Turns rows of skills and offers into (base score, user id, distance, lat, lon, reaching
    capabilities) per helper in reach of one need. A busy need has thousands of helpers: most
    have only skills of one radius, and share their building, their tags and their radius
    with many others, so distances, fits and capabilities are worked out once per building
    and once per set of tags."""

    def __init__(self, need):
        self.need = need
        self.per_fit = 2 * len(need.tags)
        self.without_offers = _available(need, ())
        self.rough, self.kinds = {}, {}

    def distance(self, lat, lon, radii):
        """Flat-earth metres to the need, settled by the great circle on the edge of a radius."""
        distance = self.rough.get((lat, lon))
        if distance is None:
            distance = self.rough[lat, lon] = round(_flat_distance(self.need, lat, lon))
        if any(abs(distance - radius) <= 2 for radius in radii):
            return _distance(self.need, lat, lon)
        return distance

    def skills(self, tags, radius):
        """(fit, capabilities) of skills with these comma-joined tags and this radius."""
        kind = self.kinds.get((tags, radius))
        if kind is None:
            caps = tuple(Capability(tag, radius) for tag in tags.split(","))
            kind = self.kinds[tags, radius] = (self.fit(caps), caps)
        return kind

    def fit(self, caps):
        """``_fit`` of capabilities that all reach."""
        rows = [_cover_row(cap.tag, self.need.tags) for cap in caps]
        best = rows[0] if len(rows) == 1 else [max(column) for column in zip(*rows)]
        return sum(best) / self.per_fit

    def plain(self, user_id, lat, lon, radius, tags, same):
        """The field row of a helper with skills of one radius and no offer, or None."""
        distance = self.distance(lat, lon, (radius,))
        if distance > radius:
            return None
        fit, caps = self.skills(tags, radius)
        return (_base_of(fit, distance, same, self.without_offers), user_id, distance, lat, lon,
                caps)

    def mixed(self, user_id, lat, lon, same, caps):
        """The field row of a helper with offers (or skills of several radii), or None."""
        distance = self.distance(lat, lon, {cap.radius_m for cap in caps})
        reach = tuple(cap for cap in caps if distance <= cap.radius_m)
        if not reach:
            return None
        return (_base_of(self.fit(reach), distance, same, _available(self.need, reach)),
                user_id, distance, lat, lon, reach)


def _field(need):
    """(base score, user id, distance, lat, lon, reaching capabilities) of every helper in reach
    of ``need``, not yet checked for being verified and active (``_people_of``). Two queries
    that read the reach indexes only (positions are the rows' copies); plain tuples."""
    params = {**_reach_params(need, covering_codes(need.tags)), "building": need.building_id}
    connection = db.session.connection()  # Core rows: no ORM bookkeeping per row
    skills = connection.execute(_skill_query(need.vetted_only), params).all()
    # user id -> (lat, lon, same building, capabilities) of helpers with offers, or with
    # skills of several radii (each radius is a row of its own)
    mixed = {}
    for user_id, lat, lon, same, *offer in connection.execute(_offer_query(need.vetted_only),
                                                              params):
        mixed.setdefault(user_id, (lat, lon, same, []))[3].append(Capability(*offer))
    counted = collections.Counter(row[0] for row in skills)
    reckoner, field = _Reckoner(need), []
    for user_id, lat, lon, radius, tags, same in skills:
        if user_id in mixed or counted[user_id] > 1:
            caps = mixed.setdefault(user_id, (lat, lon, same, []))[3]
            caps.extend(Capability(tag, radius) for tag in tags.split(","))
        else:
            field.append(reckoner.plain(user_id, lat, lon, radius, tags, same))
    field += [reckoner.mixed(user_id, *person) for user_id, person in mixed.items()]
    return [row for row in field if row is not None]


def _people_of(need, user_ids):
    """{user id: (display name, home building id, vetted)} of those of ``user_ids`` who may
    help with ``need``: verified, active, living somewhere, vetted when it must be."""
    if not user_ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name, Unit.building_id, User.vetted)
                              .join(Unit, Unit.id == User.unit_id)
                              .where(User.id.in_(user_ids), *_people(need)))
    return {user_id: person for user_id, *person in rows}


def _load_helper(user_id):
    """One verified, active user with all their capabilities (three queries), or None."""
    row = db.session.execute(_home(sa.select(*HELPER_COLUMNS).select_from(User))
                             .where(User.id == user_id, *_people())).first()
    if row is None:
        return None
    helper = Helper(*row)
    skills = db.session.execute(sa.select(UserSkill.tag, UserSkill.radius_m)
                                .where(UserSkill.user_id == user_id))
    helper.capabilities = [Capability(tag, radius) for tag, radius in skills]
    offers = db.session.execute(sa.select(*OFFER_COLUMNS).join(Offer, Offer.id == OfferTag.offer_id)
                                .where(Offer.owner_id == user_id, Offer.active.is_(True)))
    helper.capabilities += [Capability(*row) for row in offers]
    return helper
