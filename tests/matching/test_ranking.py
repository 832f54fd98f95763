"""The matching engine without HTTP: who is a candidate, in which order, and why."""
import math
import random
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.matching import ranking
from mutualaid.matching.models import ALL_DAYS
from mutualaid.matching.ranking import HelperStats, rank_candidates, rank_needs_for
from tests.factories import make_user
from tests.matching.factories import add_skills, building_at, make_offer, need_of, resident

CST = timezone(timedelta(hours=8))


def no_stats(ids):
    return {}


def ids(candidates):
    return [candidate.user_id for candidate in candidates]


@pytest.fixture(autouse=True)
def english(app):
    """Reasons in English unless a test says otherwise."""
    with requester_locale("en"):
        yield


@pytest.fixture
def requester(db):
    return resident(building_at(0, 0), username="requester")


def test_parent_skill_covers_child_tag_and_child_does_not_cover_parent(requester):
    generalist = resident(building_at(100, 0))
    add_skills(generalist, "repair")
    specialist = resident(building_at(100, 0))
    add_skills(specialist, "repair.plumbing")
    assert ids(rank_candidates(need_of(requester, "repair.plumbing"), no_stats)) == [
        specialist.id, generalist.id]
    assert ids(rank_candidates(need_of(requester, "repair"), no_stats)) == [generalist.id]


def test_exact_tag_scores_better_than_parent_at_the_same_place(requester):
    parent_first = resident(building_at(200, 0))  # lower id, would win a tie
    add_skills(parent_first, "errands")
    exact = resident(building_at(200, 0))
    add_skills(exact, "errands.shopping")
    first, second = rank_candidates(need_of(requester, "errands.shopping"), no_stats)
    assert first.user_id == exact.id
    assert first.score > second.score


def test_the_radius_that_counts_is_the_helpers(requester):
    near_short = resident(building_at(0, 800))
    add_skills(near_short, "moving", radius_m=500)
    far_long = resident(building_at(0, 3000))
    add_skills(far_long, "moving", radius_m=5000)
    far_short = resident(building_at(0, 3000))
    add_skills(far_short, "moving", radius_m=2000)
    assert ids(rank_candidates(need_of(requester, "moving"), no_stats)) == [far_long.id]


def test_offer_radius_reaches_further_than_skill_radius(requester):
    helper = resident(building_at(2500, 0))
    add_skills(helper, "cooking", radius_m=1000)
    make_offer(helper, "cooking", title="Soup for neighbours", radius_m=3000)
    [candidate] = rank_candidates(need_of(requester, "cooking"), no_stats)
    assert candidate.user_id == helper.id
    assert "offers “Soup for neighbours”" in candidate.reasons


@pytest.mark.parametrize("excluded", [
    "requester", "unverified", "inactive", "out_of_radius", "withdrawn_offer", "other_tag",
])
def test_exclusions(requester, excluded):
    building = building_at(300, 0)
    if excluded == "requester":
        add_skills(requester, "pet_care")
    elif excluded == "unverified":
        user = make_user()
        add_skills(user, "pet_care")
    elif excluded == "inactive":
        add_skills(resident(building, active=False), "pet_care")
    elif excluded == "out_of_radius":
        add_skills(resident(building_at(1200, 0)), "pet_care", radius_m=1000)
    elif excluded == "withdrawn_offer":
        make_offer(resident(building), "pet_care", active=False)
    elif excluded == "other_tag":
        add_skills(resident(building), "cleaning")
    control = resident(building_at(300, 0))
    add_skills(control, "pet_care")
    assert ids(rank_candidates(need_of(requester, "pet_care"), no_stats)) == [control.id]


def test_vulnerable_requester_gets_vetted_helpers_only(requester):
    plain = resident(building_at(100, 0))
    add_skills(plain, "companionship")
    vetted = resident(building_at(900, 0), vetted=True)
    add_skills(vetted, "companionship")
    need = need_of(requester, "companionship", vetted_only=True)
    assert ids(rank_candidates(need, no_stats)) == [vetted.id]
    assert rank_needs_for(plain, [need], no_stats) == []


def test_directed_need_goes_to_the_offer_owner_only_even_beyond_radius(requester):
    near = resident(building_at(100, 0))
    add_skills(near, "translation")
    owner = resident(building_at(5000, 0))
    make_offer(owner, "translation", radius_m=1000)
    need = need_of(requester, "translation", offer_owner_id=owner.id)
    [candidate] = rank_candidates(need, no_stats)
    assert candidate.user_id == owner.id
    assert candidate.reasons[0] == "asked for by name"
    assert rank_needs_for(near, [need], no_stats) == []


def test_directed_need_respects_vetting(requester):
    owner = resident(building_at(100, 0))
    make_offer(owner, "escort.hospital")
    need = need_of(requester, "escort.hospital", offer_owner_id=owner.id, vetted_only=True)
    assert rank_candidates(need, no_stats) == []


def test_ties_break_by_distance_then_user_id(requester):
    same_place = building_at(400, 0)
    first, second = resident(same_place), resident(same_place)
    closer = resident(building_at(150, 0))
    for user in (second, first, closer):
        add_skills(user, "it_help")
    # equal stats, so a closer helper scores higher; equal places tie on score and distance
    result = rank_candidates(need_of(requester, "it_help"), no_stats)
    assert ids(result) == [closer.id, first.id, second.id]
    assert result[1].score == result[2].score and result[1].distance_m == result[2].distance_m


def test_fewer_active_orders_and_experience_and_rating_rank_higher(requester):
    place = building_at(500, 0)
    busy, free, seasoned = resident(place), resident(place), resident(place)
    for user in (busy, free, seasoned):
        add_skills(user, "tutoring")
    stats = {busy.id: HelperStats(active=3), seasoned.id: HelperStats(completed=8, rating_avg=4.8,
                                                                      rating_count=5)}
    assert ids(rank_candidates(need_of(requester, "tutoring"), lambda _ids: stats)) == [
        seasoned.id, free.id, busy.id]


def test_reasons_are_short_and_name_the_skill(requester):
    neighbour = resident(requester.unit.building)
    add_skills(neighbour, "repair.plumbing")
    stats = {neighbour.id: HelperStats(completed=4, rating_avg=4.8, rating_count=3)}
    with requester_locale("en"):
        [candidate] = rank_candidates(need_of(requester, "repair.plumbing"), lambda _ids: stats)
    assert candidate.reasons == ["knows Plumbing", "same building", "0 m away",
                                 "4 orders completed", "rated 4.8"]
    assert candidate.distance_m == 0
    assert candidate.as_dict() == {"user_id": neighbour.id, "display_name": neighbour.display_name,
                                   "score": candidate.score, "distance_m": 0,
                                   "reasons": candidate.reasons}


def test_reasons_follow_the_language_and_distance_in_km(app, requester):
    helper = resident(building_at(1500, 0))
    add_skills(helper, "repair", radius_m=2000)
    with requester_locale("zh_CN"):
        [candidate] = rank_candidates(need_of(requester, "repair.plumbing"), no_stats)
    assert candidate.reasons[0] == "会维修"
    assert candidate.distance_m == pytest.approx(1500, abs=2)
    assert any("1.5" in reason for reason in candidate.reasons)


def test_distance_is_great_circle_in_whole_metres(requester):
    helper = resident(building_at(0, 700))
    add_skills(helper, "cleaning")
    [candidate] = rank_candidates(need_of(requester, "cleaning"), no_stats)
    assert isinstance(candidate.distance_m, int)
    assert candidate.distance_m == pytest.approx(700, abs=1)


def test_offer_available_in_the_window_ranks_above_one_that_is_not(requester):
    place = building_at(300, 0)
    mornings = resident(place)
    make_offer(mornings, "pet_care", parts=0b001, days=ALL_DAYS)
    evenings = resident(place)
    make_offer(evenings, "pet_care", parts=0b100, days=ALL_DAYS)
    start = datetime(2026, 11, 24, 19, 0, tzinfo=CST)  # a Tuesday evening in Foshan
    need = need_of(requester, "pet_care", window_start=start, window_end=start + timedelta(hours=2))
    result = rank_candidates(need, no_stats)
    assert ids(result) == [evenings.id, mornings.id]
    assert "available then" in result[0].reasons


def test_limit_keeps_the_best(requester):
    helpers = [resident(building_at(100 * step, 0)) for step in range(1, 6)]
    for helper in helpers:
        add_skills(helper, "errands")
    assert ids(rank_candidates(need_of(requester, "errands"), no_stats, limit=2)) == [
        helpers[0].id, helpers[1].id]


def test_far_reaching_helpers_are_found_beyond_the_near_box(requester):
    helper = resident(building_at(-9000, 9000))
    add_skills(helper, "moving", radius_m=15000)
    [candidate] = rank_candidates(need_of(requester, "moving"), no_stats)
    assert candidate.user_id == helper.id


def test_stats_are_loaded_once_for_all_candidates(requester):
    for step in range(3):
        add_skills(resident(building_at(100 * step, 0)), "cleaning")
    calls = []
    rank_candidates(need_of(requester, "cleaning"), lambda ids_: calls.append(ids_) or {})
    assert len(calls) == 1 and len(calls[0]) == 3


def test_suggestions_rank_the_needs_a_helper_fits(db):
    helper = resident(building_at(0, 0))
    add_skills(helper, "repair")
    near_need = need_of(resident(building_at(200, 0)), "repair", order_id=1)
    far_need = need_of(resident(building_at(900, 0)), "repair", order_id=2)
    out_of_reach = need_of(resident(building_at(3000, 0)), "repair", order_id=3)
    other_skill = need_of(resident(building_at(100, 0)), "tutoring", order_id=4)
    own = need_of(helper, "repair", order_id=5)
    result = rank_needs_for(helper, [far_need, out_of_reach, other_skill, own, near_need], no_stats)
    assert [need.order_id for need, _candidate in result] == [1, 2]
    assert all(candidate.user_id == helper.id for _need, candidate in result)


def test_suggestions_score_like_the_candidate_list(db):
    helper = resident(building_at(300, 0))
    make_offer(helper, "errands.shopping", title="Market runs")
    requester = resident(building_at(0, 0))
    need = need_of(requester, "errands.shopping", order_id=9)
    [(_need, suggested)] = rank_needs_for(helper, [need], no_stats)
    [listed] = rank_candidates(need, no_stats)
    assert suggested == listed


def test_unverified_user_gets_no_suggestions(db):
    user = make_user()
    add_skills(user, "cleaning")
    need = need_of(resident(), "cleaning")
    assert rank_needs_for(user, [need], no_stats) == []


def test_candidate_query_count_does_not_grow_with_candidates(db, requester):
    from tests.matching.querycount import count_queries

    for step in range(2):
        add_skills(resident(building_at(50 * step, 0)), "cleaning")
    need = need_of(requester, "cleaning")
    with count_queries() as few:
        rank_candidates(need, no_stats)
    for step in range(10):
        helper = resident(building_at(60 * step, 0))
        add_skills(helper, "cleaning")
        make_offer(helper, "cleaning")
    with count_queries() as many:
        assert len(rank_candidates(need, no_stats)) == 12
    assert len(many) == len(few)


def test_helpers_who_may_not_help_at_the_top_are_passed_over_in_few_queries(db, requester):
    from tests.matching.querycount import count_queries

    for _step in range(60):  # closest, but no longer active: they rank first until looked up
        add_skills(resident(building_at(20, 0), active=False), "cleaning")
    able = [resident(building_at(300 + 100 * step, 0)) for step in range(3)]
    for helper in able:
        add_skills(helper, "cleaning")
    need = need_of(requester, "cleaning")
    with count_queries() as statements:
        assert ids(rank_candidates(need, no_stats, limit=2)) == [able[0].id, able[1].id]
    # the two reach statements, then who may help in batches of 4, 4, 8, 16 and 32
    assert len(statements) == 7


def test_covering_codes_are_the_tags_and_their_ancestors():
    assert ranking.covering_codes(["repair.plumbing", "tutoring"]) == [
        "repair", "repair.plumbing", "tutoring"]


def requester_locale(locale):
    """Run with Flask-Babel forced to ``locale`` (outside a request)."""
    from flask_babel import force_locale

    return force_locale(locale)


def test_window_in_the_past_is_still_evaluated(requester):
    helper = resident(building_at(100, 0))
    make_offer(helper, "cleaning")
    start = utcnow() - timedelta(days=1)
    need = need_of(requester, "cleaning", window_start=start, window_end=start)
    assert ids(rank_candidates(need, no_stats)) == [helper.id]


def test_a_helper_who_moves_is_matched_at_the_new_home(db, requester):
    from mutualaid.accounts import domain as accounts
    from tests.factories import make_unit, make_user

    far_building = building_at(8000, 0)
    helper = resident(far_building)
    add_skills(helper, "cleaning")
    make_offer(helper, "moving")
    assert rank_candidates(need_of(requester, "cleaning"), no_stats) == []
    # moving between communities takes an admin (or staff of the old one), see accounts
    admin = make_user(role="admin")
    accounts.verify_user(admin, helper, make_unit(requester.unit.building), "tenant")
    assert ids(rank_candidates(need_of(requester, "cleaning"), no_stats)) == [helper.id]
    assert ids(rank_candidates(need_of(requester, "moving"), no_stats)) == [helper.id]


def test_moving_a_building_moves_its_helpers(db, requester):
    building = building_at(5000, 0)
    helper = resident(building)
    add_skills(helper, "cleaning")
    building.lat, building.lon = requester.unit.building.lat, requester.unit.building.lon
    db.session.flush()
    assert ids(rank_candidates(need_of(requester, "cleaning"), no_stats)) == [helper.id]


def test_reach_box_holds_every_need_the_helper_can_reach(db):
    helper = resident(building_at(0, 0))
    add_skills(helper, "cleaning", radius_m=1000)
    make_offer(helper, "moving", radius_m=3000)
    min_lat, max_lat, min_lon, max_lon = ranking.reach_box(helper)
    inside = building_at(2900, 0)
    outside = building_at(3200, 0)
    assert min_lat <= inside.lat <= max_lat and min_lon <= inside.lon <= max_lon
    assert not outside.lat <= max_lat
    assert ranking.reach_box(make_user()) is None


def test_stats_are_not_loaded_for_helpers_who_cannot_make_the_list(requester):
    close = [resident(building_at(50 * step, 0)) for step in range(3)]
    for helper in close:
        add_skills(helper, "repair.plumbing")  # exact fit, close by
    generalist = resident(building_at(0, 1500))
    add_skills(generalist, "repair", radius_m=2000)  # fits via the parent, far: hopeless
    asked = []
    top = rank_candidates(need_of(requester, "repair.plumbing"),
                          lambda ids_: asked.extend(ids_) or {}, limit=2)
    assert ids(top) == [close[0].id, close[1].id]
    assert generalist.id not in asked and set(asked) >= {close[0].id, close[1].id}
    everyone = rank_candidates(need_of(requester, "repair.plumbing"), no_stats, limit=10)
    assert generalist.id in ids(everyone)


def test_a_perfect_record_can_lift_a_farther_helper_over_closer_ones(requester):
    near = resident(building_at(100, 0))
    far = resident(building_at(900, 0))
    for helper in (near, far):
        add_skills(helper, "cleaning")
    stats = {far.id: HelperStats(completed=20, active=0, rating_avg=5.0, rating_count=9),
             near.id: HelperStats(completed=0, active=4)}
    top = rank_candidates(need_of(requester, "cleaning"), lambda _ids: stats, limit=1)
    assert ids(top) == [far.id]


def naive_ranking(need, stats, limit):
    """The rules applied to every user one by one: exact distance, reach, score."""
    candidates = []
    for user_id in db.session.scalars(sa.select(User.id)):
        helper = ranking._load_helper(user_id)
        if helper is None or not ranking._eligible(need, helper):
            continue
        distance = ranking._distance(need, helper.lat, helper.lon)
        reach = ranking._reach(need, helper, distance)
        if reach is not None:
            record = stats([user_id]).get(user_id, HelperStats())
            candidates.append(ranking._candidate(need, helper, distance, reach, record))
    candidates.sort(key=lambda c: (-c.score, c.distance_m, c.user_id))
    return [candidate.as_dict() for candidate in candidates[:limit]]


@pytest.mark.parametrize("seed", range(4))
def test_ranking_is_the_naive_scan_of_every_resident(requester, seed):
    """Random neighbourhoods, with helpers right on the edge of every band of radius: the
    indexed ranking gives exactly what applying the rules to everyone gives."""
    assert_ranking_is_the_naive_scan(requester, random.Random(seed))


@pytest.mark.postgres
@pytest.mark.parametrize("seed", range(2))
def test_ranking_is_the_naive_scan_on_postgresql(postgres_app, seed):
    """The same on PostgreSQL, whose reach statements are written differently (grouping,
    booleans) and prepared."""
    with requester_locale("en"):
        assert_ranking_is_the_naive_scan(resident(building_at(0, 0)), random.Random(seed))


def assert_ranking_is_the_naive_scan(requester, rng):
    """Fill a random neighbourhood around ``requester`` and compare random needs' rankings with
    ``naive_ranking``."""
    codes = list(ranking.taxonomy.TAXONOMY)
    radii = [100, 500, 999, 1000, 1001, 2000, 2001, 3000, 5000, 20_000]
    records = {}
    for _step in range(40):
        radius = rng.choice(radii)
        distance = rng.choice([radius - 1, radius, radius + 1, rng.uniform(0, radius * 1.2), 0])
        bearing = rng.uniform(0, 2 * math.pi)
        # at distance 0: the requester's building, or another one at the very same place
        home = (requester.unit.building if distance == 0 and rng.random() < 0.5 else
                building_at(distance * math.cos(bearing), distance * math.sin(bearing)))
        helper = resident(home, vetted=rng.random() < 0.3, active=rng.random() > 0.1)
        if rng.random() < 0.8:
            tags = rng.sample(codes, rng.randint(1, 3))
            add_skills(helper, *tags[:1], radius_m=radius)
            # skills of one user normally share a radius, but nothing forces them to
            add_skills(helper, *tags[1:], radius_m=rng.choice([radius, rng.choice(radii)]))
        if rng.random() < 0.3:
            make_offer(helper, *rng.sample(codes, rng.randint(1, 2)), radius_m=rng.choice(radii),
                       days=rng.randint(1, ALL_DAYS), parts=rng.randint(1, 7))
        records[helper.id] = HelperStats(completed=rng.randint(0, 12), active=rng.randint(0, 3),
                                         rating_avg=rng.choice([None, 3.5, 4.8]),
                                         rating_count=rng.randint(0, 5))

    def stats(wanted):
        return {user_id: records[user_id] for user_id in wanted if user_id in records}

    answered = 0
    for _need in range(6):
        window = (datetime(2026, 12, 1, 8, tzinfo=CST) + timedelta(hours=rng.randint(0, 167))
                  if rng.random() < 0.4 else None)
        need = need_of(requester, *rng.sample(codes, rng.randint(1, 2)),
                       vetted_only=rng.random() < 0.2, window_start=window,
                       window_end=window and window + timedelta(hours=2))
        everyone = naive_ranking(need, stats, 100)
        for limit in (3, 10, 100):
            assert [c.as_dict() for c in rank_candidates(need, stats, limit)] == everyone[:limit]
        answered += bool(everyone)
    assert answered  # the neighbourhoods do have helpers to find


def test_the_reach_statements_search_the_reach_indexes_only(requester):
    """Every arm of both reach statements is a search inside its reach index, the skills' one
    covering (their table is never read), and no table is scanned."""
    executed = []

    def record(_conn, _cursor, statement, parameters, *_args):
        executed.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        rank_candidates(need_of(requester, "repair.plumbing", "tutoring"), no_stats)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    for table, index in (("user_skills", "USING COVERING INDEX ix_user_skills_reach ("),
                         ("offers", " ix_offers_reach (")):
        [(statement, parameters)] = [(statement, parameters) for statement, parameters in executed
                                     if f"FROM {table} " in statement]
        plan = [row[3] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters)]
        reads = [step for step in plan if f" {table} " in f"{step} "]
        assert len([step for step in reads if index in step]) == ranking.REACH_BANDS
        assert not [step for step in plan if step.startswith("SCAN") and "anon" not in step], plan
        if table == "user_skills":
            assert all(index in step for step in reads), plan
