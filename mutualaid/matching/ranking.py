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
SQL prefilters with indexed bounding boxes before any exact distance is computed. Most
helpers keep a short radius: those (radius <= NEAR_RADIUS_M) are found from the buildings in
the box of NEAR_RADIUS_M around the need (index ``ix_buildings_lat_lon``). Helpers with a
longer reach are few: they are found through ``ix_user_skills_tag_radius`` (tag, radius) and
kept when their building is inside the box of their own radius. Offers are found by tag
(``ix_offer_tags_tag``) with the same per-row box. Exact distances are then computed once per
surviving building.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask_babel import get_locale, gettext as _, ngettext
from geopy.distance import great_circle

from mutualaid.accounts.models import User
from mutualaid.extensions import db
from mutualaid.matching import tags as taxonomy
from mutualaid.matching.models import PARTS, Offer, OfferTag, UserSkill
from mutualaid.places.models import Building, Unit

WEIGHTS = {"fit": 35, "proximity": 20, "same_building": 10, "available": 10,
           "experience": 10, "rating": 5, "free": 10}
NEAR_RADIUS_M = 1000
METRES_PER_DEGREE_LAT = 111_195  # great-circle metres per degree on geopy's mean earth radius
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


@dataclass(frozen=True)
class Capability:
    """A tag a helper covers, from a skill (offer is None) or an active offer."""

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
    helpers = _load_helpers(need)
    distances = {}
    scored = []
    for helper in helpers:
        distance = distances.get(helper.building_id)
        if distance is None:
            distance = distances[helper.building_id] = _distance(need, helper)
        reach = _reach(need, helper, distance)
        if reach is not None:
            scored.append((helper, distance, reach))
    loaded = stats([helper.user_id for helper, _d, _r in scored]) if scored else {}
    candidates = [_score(need, helper, distance, reach, loaded.get(helper.user_id, HelperStats()))
                  for helper, distance, reach in scored]
    candidates.sort(key=lambda c: (-c.score, c.distance_m, c.user_id))
    return candidates[:limit]


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
        distance = _distance(need, helper)
        reach = _reach(need, helper, distance)
        if reach is not None:
            matches.append((need, _score(need, helper, distance, reach, own)))
    matches.sort(key=lambda pair: (-pair[1].score, pair[1].distance_m, pair[0].order_id or 0))
    return matches[:limit]


def covering_codes(wanted):
    """Every skill code that covers one of ``wanted``: the tags and their ancestors."""
    codes = set()
    for tag in wanted:
        while tag:
            codes.add(tag)
            tag = taxonomy.parent_of(tag)
    return sorted(codes)


def box(lat, lon, radius_m):
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle of ``radius_m``."""
    dlat = radius_m / METRES_PER_DEGREE_LAT * 1.001  # a hair wider than the great circle
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# --- the pure rules --------------------------------------------------------------------------

def _eligible(need, helper):
    """The exclusions that do not depend on tags or distance."""
    if helper.user_id == need.requester_id:
        return False
    if need.vetted_only and not helper.vetted:
        return False
    return need.offer_owner_id is None or helper.user_id == need.offer_owner_id


def _distance(need, helper):
    """Great-circle distance in whole metres."""
    return round(great_circle((need.lat, need.lon), (helper.lat, helper.lon)).meters)


def _reach(need, helper, distance):
    """The capabilities that reach the need (within their radius and covering a wanted tag);
    None when the helper is not a candidate. A directed need's owner always qualifies."""
    reaching = [cap for cap in helper.capabilities if distance <= cap.radius_m
                and any(taxonomy.covers(cap.tag, wanted) for wanted in need.tags)]
    if reaching or need.offer_owner_id == helper.user_id:
        return reaching
    return None


def _fit(need, reaching):
    """Per wanted tag: the best capability covering it (or None), and the fit in 0..1."""
    best = {}
    for wanted in need.tags:
        options = [(taxonomy.covers(cap.tag, wanted), cap) for cap in reaching]
        options = [(cover, cap) for cover, cap in options if cover]
        if options:
            best[wanted] = max(options, key=lambda option: (option[0], option[1].offer_id or 0))
    total = sum(cover for cover, _cap in best.values()) / (2 * len(need.tags)) if need.tags else 0
    return best, total


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
    return slots


def _score(need, helper, distance, reaching, stats):
    """The scored Candidate with its reasons (in the current language)."""
    best, fit = _fit(need, reaching)
    available = _available(need, reaching)
    rating = (stats.rating_avg - 1) / 4 if stats.rating_count and stats.rating_avg else 0.5
    parts = {
        "fit": fit, "proximity": 1 / (1 + distance / 1000),
        "same_building": 1.0 if helper.building_id == need.building_id else 0.0,
        "available": available, "experience": min(stats.completed, 10) / 10,
        "rating": rating, "free": 1 / (1 + max(stats.active, 0)),
    }
    score = round(sum(WEIGHTS[name] * value for name, value in parts.items()), 2)
    reasons = _reasons(need, helper, distance, best, available, stats)
    return Candidate(helper.user_id, helper.display_name, score, distance, reasons)


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


def _own_box(need, radius):
    """SQL conditions: the building lies in the box of each row's own ``radius`` column."""
    dlat = radius / float(METRES_PER_DEGREE_LAT) * 1.001
    cos_lat = max(math.cos(math.radians(min(abs(need.lat) + 0.2, 89.9))), 1e-6)
    return (Building.lat.between(need.lat - dlat, need.lat + dlat),
            Building.lon.between(need.lon - dlat / cos_lat, need.lon + dlat / cos_lat))


def _skill_rows(need, codes):
    """Skill rows covering ``codes``: near helpers through the building box, far ones by radius."""
    min_lat, max_lat, min_lon, max_lon = box(need.lat, need.lon, NEAR_RADIUS_M)
    near = (sa.select(*HELPER_COLUMNS, UserSkill.tag, UserSkill.radius_m).select_from(Building)
            .join(Unit, Unit.building_id == Building.id).join(User, User.unit_id == Unit.id)
            .join(UserSkill, UserSkill.user_id == User.id)
            .where(Building.lat.between(min_lat, max_lat), Building.lon.between(min_lon, max_lon),
                   UserSkill.tag.in_(codes), UserSkill.radius_m <= NEAR_RADIUS_M, *_people(need)))
    far = (_home(sa.select(*HELPER_COLUMNS, UserSkill.tag, UserSkill.radius_m)
                 .select_from(UserSkill).join(User, User.id == UserSkill.user_id))
           .where(UserSkill.tag.in_(codes), UserSkill.radius_m > NEAR_RADIUS_M,
                  *_own_box(need, UserSkill.radius_m), *_people(need)))
    return [*db.session.execute(near), *db.session.execute(far)]


def _offer_rows(need, codes):
    """Active offers covering ``codes`` whose own radius box holds the need."""
    select = (_home(sa.select(*HELPER_COLUMNS, *OFFER_COLUMNS).select_from(OfferTag)
                    .join(Offer, Offer.id == OfferTag.offer_id)
                    .join(User, User.id == Offer.owner_id))
              .where(OfferTag.tag.in_(codes), Offer.active.is_(True),
                     *_own_box(need, Offer.radius_m), *_people(need)))
    return db.session.execute(select).all()


def _load_helpers(need):
    """The helpers that survive the SQL prefilter, with their capabilities (three queries)."""
    if need.offer_owner_id is not None:
        helper = _load_helper(need.offer_owner_id)
        return [helper] if helper is not None and _eligible(need, helper) else []
    codes = covering_codes(need.tags)
    helpers = {}
    for row in _skill_rows(need, codes):
        _add(helpers, row, Capability(row.tag, row.radius_m))
    for row in _offer_rows(need, codes):
        _add(helpers, row, Capability(*row[6:]))
    return [helpers[key] for key in sorted(helpers)]


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


def _add(helpers, row, capability):
    """Add a capability to the helper of ``row``, creating the helper on first sight."""
    helper = helpers.get(row.user_id)
    if helper is None:
        helper = helpers[row.user_id] = Helper(*row[:6])
    helper.capabilities.append(capability)
