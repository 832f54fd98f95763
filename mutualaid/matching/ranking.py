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
``models.follow_moves`` when a user moves), so the question "whose reach holds this need?" is
answered inside one index per table, before any join. The indexes are ordered by the reach
grid of ``models.py``: tag, band of the radius (0 up to 1 km, 1 up to 2 km ...), a latitude
cell sized to the band, longitude. One query arm per band looks up the five or six cells and
the longitude span of the box of that band's longest radius, and keeps the rows within their
own radius by a flat-earth estimate with a 2% margin; the arms are one statement, built once,
with the need in its parameters. Only survivors are joined to their user (verified, active,
vetted when needed) and home building, whose position gives the distance. Rows are plain
tuples; a helper becomes an object only when still in the running. Geopy's exact great
circle is computed for the contenders for the answer (and helpers on the edge of their
radius); the rest are ranked on a flat-earth estimate under a metre off at city scale. A
helper's record is worth at most 25 points: the records of the best by the rest of the score
are loaded first, then only those of helpers who could still reach the list with a perfect
record. Two queries (three for a directed need) and one or two calls of the stats loader,
however many candidates there are.
"""
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
from mutualaid.matching.models import (PARTS, REACH_BAND, REACH_BANDS, REACH_CELL,
                                       REACH_CELLS_PER_DEGREE, Offer, OfferTag, UserSkill)
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
    if not field:
        return []
    # A helper's record adds at most STATS_POINTS: whoever cannot reach the limit-th best
    # score without it, even with a perfect record, is out before any record is loaded. The
    # records of the best by the rest of the score are loaded first; whoever then cannot reach
    # the limit-th best score so far is out too, and only the others still in the running are
    # asked about (a busy need has thousands of helpers in reach and a few hundred contenders).
    field.sort(key=_by_base, reverse=True)
    field = _down_to(field, field[min(limit, len(field)) - 1][0] - STATS_POINTS - SCORE_MARGIN)
    head = field[:FIRST_RECORDS * limit]
    loaded = stats([row[1] for row in head])
    scores = sorted((base + _record(loaded.get(user_id, NO_STATS)) for base, user_id, *_ in head),
                    reverse=True)
    floor = scores[min(limit, len(scores)) - 1] - STATS_POINTS - SCORE_MARGIN
    rest = _down_to(field[len(head):], floor)
    if rest:
        loaded = {**loaded, **stats([row[1] for row in rest])}
    contenders = [(base, Helper(user_id, *person[:5], list(person[5].values())), distance, reach)
                  for base, user_id, person, distance, reach in head + rest]
    rated = _sorted([(round(base + _record(loaded.get(helper.user_id, NO_STATS)), 2),
                      helper, distance, reach) for base, helper, distance, reach in contenders])
    # Distances so far are flat-earth estimates (under a metre off at city scale, under 0.05
    # points of score): settle every contender for the answer with the exact great circle.
    cut = rated[min(limit, len(rated)) - 1][0] - SCORE_MARGIN
    rated = _rated(need, [(helper, _distance(need, helper.lat, helper.lon), reach)
                          for score, helper, _d, reach in rated if score >= cut], loaded)
    # reasons (translated strings) only for the ones answered
    return [_candidate(need, helper, distance, reach, loaded.get(helper.user_id, NO_STATS))
            for _score, helper, distance, reach in rated[:limit]]


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
    params = {"codes": codes, "requester": need.requester_id, "lat": need.lat, "lon": need.lon,
              "scale": math.cos(math.radians(need.lat)), "within": ROUGH_MARGIN ** 2}
    for band in range(REACH_BANDS):
        dlat = (band + 1) * 1000 * ROUGH_MARGIN  # the band's longest radius, in degrees
        low = (need.lat - dlat) * REACH_CELLS_PER_DEGREE / (band + 1)
        high = (need.lat + dlat) * REACH_CELLS_PER_DEGREE / (band + 1)
        cells = list(range(math.floor(low), math.ceil(high) + 1))
        params[f"cells_{band}"] = cells + cells[-1:] * (BOX_CELLS - len(cells))
        params[f"west_{band}"] = need.lon - dlat / cos_lat
        params[f"east_{band}"] = need.lon + dlat / cos_lat
    return params


def _in_reach(band, lat, lon, radius):
    """SQL conditions of one band, answered inside a reach index: the row is in ``band``, in
    the cells and the longitude span of the box of the band's longest radius around the need,
    and within its own radius of it by a flat-earth estimate with a 2% margin (which only
    ever keeps more than the great circle would)."""
    param = sa.bindparam
    dlat, dlon = lat - param("lat"), (lon - param("lon")) * param("scale")
    return (sa.literal_column(REACH_BAND) == band,
            sa.literal_column(REACH_CELL).in_(param(f"cells_{band}", expanding=True)),
            lon.between(param(f"west_{band}"), param(f"east_{band}")),
            dlat * dlat + dlon * dlon <= radius * radius * param("within", type_=sa.Float))


def _candidates_of(vetted_only):
    """Conditions on the helpers for a need: verified, active, not the requester (a
    parameter), vetted when the need asks for it."""
    conditions = [*_people(), User.id != sa.bindparam("requester")]
    return conditions + [User.vetted.is_(True)] if vetted_only else conditions


@functools.cache
def _skill_query(vetted_only):
    """(helper columns, tag, radius) of the skill rows covering ``codes`` whose reach holds the
    need, band by band in ix_user_skills_reach; only those are joined to their user and home
    building. Built once: the need is in the parameters (``_reach_params``)."""
    found = sa.union_all(*(
        sa.select(UserSkill.user_id, UserSkill.tag, UserSkill.radius_m)
        .where(UserSkill.tag.in_(sa.bindparam("codes", expanding=True)),
               *_in_reach(band, UserSkill.lat, UserSkill.lon, UserSkill.radius_m))
        for band in range(REACH_BANDS))).subquery()
    return (_home(sa.select(*HELPER_COLUMNS, found.c.tag, found.c.radius_m).select_from(found)
                  .join(User, User.id == found.c.user_id)).where(*_candidates_of(vetted_only)))


@functools.cache
def _offer_query(vetted_only):
    """Active offers covering ``codes`` whose reach holds the need (ix_offers_reach)."""
    found = sa.union_all(*(
        sa.select(Offer.id).where(Offer.active.is_(True),
                                  *_in_reach(band, Offer.lat, Offer.lon, Offer.radius_m))
        for band in range(REACH_BANDS))).subquery()
    tagged = sa.and_(OfferTag.offer_id == Offer.id,
                     OfferTag.tag.in_(sa.bindparam("codes", expanding=True)))
    return (_home(sa.select(*HELPER_COLUMNS, *OFFER_COLUMNS).select_from(found)
                  .join(Offer, Offer.id == found.c.id).join(OfferTag, tagged)
                  .join(User, User.id == Offer.owner_id)).where(*_candidates_of(vetted_only)))


def _field(need):
    """(base score, user id, person, distance, reaching capabilities) of every helper who
    qualifies for ``need``; person is (name, building id, lat, lon, vetted, capabilities).
    Two queries; then plain tuples and one flat-earth distance per building: a busy need has
    thousands of rows, and objects are made only for the contenders."""
    codes = covering_codes(need.tags)
    params = _reach_params(need, codes)
    connection = db.session.connection()  # Core rows: no ORM bookkeeping per row
    people = {}
    for user_id, name, building_id, lat, lon, vetted, tag, radius in connection.execute(
            _skill_query(need.vetted_only), params):
        person = people.get(user_id)
        if person is None:
            person = people[user_id] = (name, building_id, lat, lon, vetted, {})
        person[5][tag, None] = Capability(tag, radius)  # near and far may overlap
    for user_id, name, building_id, lat, lon, vetted, *offer in connection.execute(
            _offer_query(need.vetted_only), params):
        person = people.get(user_id)
        if person is None:
            person = people[user_id] = (name, building_id, lat, lon, vetted, {})
        person[5][offer[0], offer[2]] = Capability(*offer)
    covered = {code: _cover_row(code, need.tags) for code in codes}
    per_fit = 2 * len(need.tags)
    rough, field = {}, []
    for user_id, person in people.items():
        _name, building_id, lat, lon, _vetted, caps = person
        distance = rough.get(building_id)
        if distance is None:
            distance = rough[building_id] = round(_flat_distance(need, lat, lon))
        caps = caps.values()
        if any(abs(distance - cap.radius_m) <= 2 for cap in caps):
            distance = _distance(need, lat, lon)  # on the edge of a radius: decide exactly
        # Every row fetched covers a wanted tag (its tag is one of ``codes``): what reaches is
        # what is in range; its fit is ``_fit`` from the per-code rows computed above.
        reach = [cap for cap in caps if distance <= cap.radius_m]
        if not reach:
            continue
        best = (covered[reach[0].tag] if len(reach) == 1
                else [max(column) for column in zip(*(covered[cap.tag] for cap in reach))])
        base = _base_of(sum(best) / per_fit, distance, building_id == need.building_id,
                        _available(need, reach))
        field.append((base, user_id, person, distance, reach))
    return field


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
