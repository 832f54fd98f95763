"""Tests of the art. 278 counting rules (mutualaid/votes/rules.py), no app needed."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualaid.places.areas import parse_area
from mutualaid.votes import rules
EligibleVoter, CastBallot, UnitInScope = rules.EligibleVoter, rules.CastBallot, rules.UnitInScope
MAJOR, ORDINARY, POLL = rules.MAJOR, rules.ORDINARY, rules.POLL


def voters(*areas):
    """Eligible voters keyed 0, 1, 2... with the given areas in hundredths."""
    return [EligibleVoter(key, area) for key, area in enumerate(areas)]


def ballots(*choices):
    """Ballots for voters 0, 1, 2... in order; None leaves that voter out."""
    return [CastBallot(key, choice) for key, choice in enumerate(choices) if choice]


# --- quorum: 三分之二以上 of area and of headcount -----------------------------------------

QUORUM_CASES = [
    # 3 voters of 100 m², 2 vote: exactly 2/3 of both.
    pytest.param([10000] * 3, 2, True, id="exactly-two-thirds-both"),
    # 300.00 m², 2 of 3 voters but 199.99 m²: one hundredth short on area.
    pytest.param([10000, 9999, 10001], 2, False, id="area-one-hundredth-short"),
    pytest.param([10000, 10000, 10000], 3, True, id="everyone"),
    # 9 voters: 6 is exactly 2/3 of the headcount, with 600.00 of 900.00 m².
    pytest.param([10000] * 9, 6, True, id="exactly-six-of-nine"),
    # 5 of 9 owners hold nearly all the area, yet one owner short on headcount.
    pytest.param([10000] * 5 + [1] * 4, 5, False, id="headcount-one-owner-short"),
    pytest.param([10000] * 3, 0, False, id="nobody-votes"),
]


@pytest.mark.parametrize("rule", [MAJOR, ORDINARY])
@pytest.mark.parametrize(("areas", "voting", "met"), QUORUM_CASES)
def test_quorum_needs_two_thirds_of_area_and_headcount(rule, areas, voting, met):
    result = rules.tally(rule, voters(*areas), ballots(*["yes"] * voting))
    assert result.quorum_met is met
    assert result.passed is met  # everyone voting says yes, so only the quorum decides


# --- major: 四分之三以上 of participating area and headcount ----------------------------

MAJOR_CASES = [
    pytest.param([10000] * 4, ["yes", "yes", "yes", "no"], True, id="exactly-three-quarters"),
    # 400.00 m² take part, yes holds 299.99 m²: one hundredth short.
    pytest.param(
        [10000, 10000, 9999, 10001], ["yes", "yes", "yes", "no"], False, id="area-short"
    ),
    # 6 of 8 owners say yes: exactly 3/4 of the headcount, and most of the area.
    pytest.param([10000] * 6 + [1] * 2, ["yes"] * 6 + ["no"] * 2, True, id="six-of-eight"),
    # 5 of 8 owners hold nearly all the area, yet fall short on headcount.
    pytest.param([10000] * 5 + [1] * 3, ["yes"] * 5 + ["no"] * 3, False, id="headcount-short"),
]


@pytest.mark.parametrize(("areas", "choices", "passed"), MAJOR_CASES)
def test_major_needs_three_quarters_of_area_and_headcount(areas, choices, passed):
    result = rules.tally(MAJOR, voters(*areas), ballots(*choices))
    assert result.quorum_met is True
    assert result.passed is passed


# --- ordinary: 过半数 (strictly more than half) -----------------------------------------

ORDINARY_CASES = [
    # Yes holds exactly half the area (200.00 of 400.00 m²) with 3 of 4 owners.
    pytest.param(
        [10000, 5000, 5000, 20000], ["yes", "yes", "yes", "no"], False, id="area-exactly-half"
    ),
    pytest.param(
        [10000, 5000, 5001, 20000], ["yes", "yes", "yes", "no"], True, id="area-just-above-half"
    ),
    # Exactly half the owners, though they hold nearly all the area.
    pytest.param([30000, 30000, 1, 1], ["yes", "yes", "no", "no"], False, id="headcount-half"),
    pytest.param(
        [30000, 30000, 1, 1, 1], ["yes", "yes", "yes", "no", "no"], True, id="headcount-above"
    ),
]


@pytest.mark.parametrize(("areas", "choices", "passed"), ORDINARY_CASES)
def test_ordinary_needs_more_than_half_of_area_and_headcount(areas, choices, passed):
    result = rules.tally(ORDINARY, voters(*areas), ballots(*choices))
    assert result.quorum_met is True
    assert result.passed is passed


def test_major_threshold_would_pass_an_ordinary_vote_but_not_the_reverse():
    eligible, cast = voters(*[10000] * 3), ballots("yes", "yes", "no")
    assert rules.tally(ORDINARY, eligible, cast).passed is True
    assert rules.tally(MAJOR, eligible, cast).passed is False


# --- exact areas where float sums would mislead -------------------------------------------

THIRTY_THREE = parse_area("33.33")

FLOAT_TRAP_CASES = [
    # 18 owners of 33.33 m², 12 vote: exactly 2/3, but the float sum of the 12 falls short.
    pytest.param(
        ORDINARY, 18, 12, None, (True, True),
        sum([33.33] * 12) < sum([33.33] * 18) * 2 / 3, id="quorum-at-two-thirds",
    ),
    # 6 yes of 33.33 m² against one 66.66 m² no: exactly 3/4, but floats say less.
    pytest.param(
        MAJOR, 6, 6, "66.66", (True, True),
        sum([33.33] * 6) < (sum([33.33] * 6) + 66.66) * 3 / 4, id="major-at-three-quarters",
    ),
    # 22 yes of 33.33 m² against one 733.26 m² no: exactly half, but floats say more.
    pytest.param(
        ORDINARY, 22, 22, "733.26", (True, False),
        sum([33.33] * 22) > (sum([33.33] * 22) + 733.26) / 2, id="ordinary-at-half",
    ),
]


@pytest.mark.parametrize(
    ("rule", "owners", "yes", "big_no", "outcome", "float_misleads"), FLOAT_TRAP_CASES
)
def test_thirty_three_square_metre_units_count_exactly(
    rule, owners, yes, big_no, outcome, float_misleads
):
    assert float_misleads, "the case no longer shows a float rounding trap"
    eligible = [EligibleVoter(n, THIRTY_THREE) for n in range(owners)]
    cast = [CastBallot(n, "yes") for n in range(yes)]
    if big_no:
        eligible.append(EligibleVoter("big", parse_area(big_no)))
        cast.append(CastBallot("big", "no"))
    result = rules.tally(rule, eligible, cast)
    assert (result.quorum_met, result.passed) == outcome


def test_owner_of_three_units_of_33_33_ties_an_owner_of_99_99():
    units = [UnitInScope(unit, "ana", THIRTY_THREE) for unit in (1, 2, 3)]
    units.append(UnitInScope(4, "bo", parse_area("99.99")))
    eligible = rules.voters_from_units(units)
    ana, bo = rules.voter_key(1, "ana"), rules.voter_key(4, "bo")
    result = rules.tally(ORDINARY, eligible, [CastBallot(ana, "yes"), CastBallot(bo, "no")])
    assert result.tally["yes"] == result.tally["no"] == (9999, 1)
    assert result.passed is False


# --- who is a voter: 人数 by owner, ownerless units one each ------------------------------

def test_owner_of_several_units_is_one_voter_with_their_summed_area():
    units = [UnitInScope(1, 7, 8000), UnitInScope(2, 7, 4550), UnitInScope(3, 9, 9000)]
    eligible = rules.voters_from_units(units)
    assert sorted(eligible, key=str) == sorted(
        [EligibleVoter(("owner", 7), 12550), EligibleVoter(("owner", 9), 9000)], key=str
    )
    result = rules.tally(MAJOR, eligible, [CastBallot(rules.voter_key(2, 7), "yes")])
    assert result.eligible == (21550, 2)
    assert result.participating == (12550, 1)


def test_ownerless_units_are_one_voter_each_and_never_merge_with_an_owner():
    units = [UnitInScope(7, None, 5000), UnitInScope(8, None, 6000), UnitInScope(9, 7, 7000)]
    eligible = rules.voters_from_units(units)
    assert {v.key: v.area_hundredths for v in eligible} == {
        ("unit", 7): 5000, ("unit", 8): 6000, ("owner", 7): 7000,
    }
    assert rules.tally(ORDINARY, eligible, []).eligible == (18000, 3)


@pytest.mark.parametrize(
    "units",
    [
        pytest.param([UnitInScope(1, None, 100), UnitInScope(1, None, 100)], id="unit-twice"),
        pytest.param([UnitInScope(1, 5, 100), UnitInScope(1, 5, 100)], id="owned-unit-twice"),
        pytest.param([UnitInScope(1, 5, -1)], id="negative-area"),
    ],
)
def test_voters_from_units_rejects_bad_units(units):
    with pytest.raises(ValueError):
        rules.voters_from_units(units)


# --- ballots ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("choices", "passed"),
    [
        pytest.param(["yes", "yes", "no", None], True, id="two-of-three-approve"),
        pytest.param(["yes", "yes", "no", "abstain"], False, id="abstention-makes-it-half"),
    ],
)
def test_abstentions_take_part_but_lower_the_approval_share(choices, passed):
    result = rules.tally(ORDINARY, voters(*[10000] * 4), ballots(*choices))
    assert result.quorum_met is True
    assert result.passed is passed


@pytest.mark.parametrize(
    ("recorded", "counted"),
    [
        pytest.param(["yes", "no"], "no", id="yes-then-no"),
        pytest.param(["no", "abstain", "yes"], "yes", id="three-changes"),
        pytest.param(["yes", "yes"], "yes", id="same-twice"),
    ],
)
def test_latest_ballot_of_a_voter_is_the_one_counted(recorded, counted):
    cast = [CastBallot("ana", choice) for choice in recorded]
    result = rules.tally(ORDINARY, [EligibleVoter("ana", 5000)], cast)
    assert result.participating == (5000, 1)
    assert {c: w.headcount for c, w in result.tally.items() if w.headcount} == {counted: 1}


@pytest.mark.parametrize("rule", [MAJOR, ORDINARY, POLL])
def test_ballot_from_someone_not_eligible_raises(rule):
    with pytest.raises(ValueError, match="not eligible"):
        rules.tally(rule, voters(10000), [CastBallot(0, "yes"), CastBallot("tenant", "yes")])


@pytest.mark.parametrize(
    ("rule", "eligible", "cast"),
    [
        pytest.param("unanimous", voters(100), [], id="unknown-rule"),
        pytest.param(MAJOR, voters(100), [CastBallot(0, "maybe")], id="unknown-choice"),
        pytest.param(MAJOR, [EligibleVoter(1, 100)] * 2, [], id="voter-listed-twice"),
        pytest.param(MAJOR, voters(-100), [], id="negative-area"),
        pytest.param(MAJOR, [EligibleVoter(1, Decimal("1.5"))], [], id="area-not-int"),
        pytest.param(ORDINARY, [EligibleVoter(1, True)], [], id="area-bool"),
    ],
)
def test_tally_rejects_bad_input(rule, eligible, cast):
    with pytest.raises(ValueError):
        rules.tally(rule, eligible, cast)


@pytest.mark.parametrize("rule", [MAJOR, ORDINARY, POLL])
@pytest.mark.parametrize(
    ("eligible", "cast"),
    [
        pytest.param([], [], id="nobody-eligible"),
        pytest.param(voters(10000, 10000), [], id="nobody-votes"),
        pytest.param(voters(0, 0), ballots("yes", "yes"), id="zero-area"),
    ],
)
def test_empty_votes_pass_nothing_without_dividing_by_zero(rule, eligible, cast):
    result = rules.tally(rule, eligible, cast)
    assert result.passed is (rule == POLL and bool(cast))
    assert result.quorum_met is (rule == POLL)


# --- poll --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("choices", "passed"),
    [
        pytest.param(["yes"], True, id="one-ballot-of-ten-decides"),
        pytest.param(["yes", "no"], False, id="exactly-half"),
        pytest.param(["yes", "abstain"], False, id="abstention-counts-among-ballots"),
        pytest.param(["yes", "yes", "no"], True, id="more-than-half"),
    ],
)
def test_poll_passes_on_yes_over_half_of_ballots_with_no_quorum(choices, passed):
    result = rules.tally(POLL, voters(*[0] * 10), ballots(*choices))
    assert result.quorum_met is True
    assert result.passed is passed
    assert result.eligible == (None, 10)
    assert result.participating == (None, len(choices))


def test_poll_result_has_null_areas():
    result = rules.tally(POLL, voters(0, 0, 0), ballots("yes", "no"))
    assert result.as_dict() == {
        "rule": "poll",
        "eligible": {"area_m2": None, "headcount": 3},
        "participating": {"area_m2": None, "headcount": 2},
        "quorum_met": True,
        "tally": {
            "yes": {"area_m2": None, "headcount": 1},
            "no": {"area_m2": None, "headcount": 1},
            "abstain": {"area_m2": None, "headcount": 0},
        },
        "passed": False,
    }


def test_result_as_dict_has_the_api_shape_with_two_decimal_areas():
    result = rules.tally(MAJOR, voters(12345, 10000, 5005, 100), ballots("yes", "yes", "abstain"))
    assert result.as_dict() == {
        "rule": "major",
        "eligible": {"area_m2": "274.50", "headcount": 4},
        "participating": {"area_m2": "273.50", "headcount": 3},
        "quorum_met": True,
        "tally": {
            "yes": {"area_m2": "223.45", "headcount": 2},
            "no": {"area_m2": "0.00", "headcount": 0},
            "abstain": {"area_m2": "50.05", "headcount": 1},
        },
        "passed": False,
    }


# --- property: order does not matter and a brute-force recount agrees -----------------------

def recount(rule, eligible, cast):
    """Count again the slow way, with fractions, as the article reads."""
    area_of = {voter.key: voter.area_hundredths for voter in eligible}
    counted = [(b.key, b.choice) for b in cast]
    part_area = sum(area_of[key] for key, _ in counted)
    yes_area = sum(area_of[key] for key, choice in counted if choice == "yes")
    yes_heads = sum(1 for _, choice in counted if choice == "yes")
    if rule == POLL:
        return True, bool(counted) and Fraction(yes_heads, len(counted)) > Fraction(1, 2)
    elig_area, elig_heads = sum(area_of.values()), len(area_of)
    quorum = (
        elig_area > 0 and elig_heads > 0
        and Fraction(part_area, elig_area) >= Fraction(2, 3)
        and Fraction(len(counted), elig_heads) >= Fraction(2, 3)
    )
    if not quorum:
        return False, False
    shares = Fraction(yes_area, part_area), Fraction(yes_heads, len(counted))
    if rule == MAJOR:
        return True, all(share >= Fraction(3, 4) for share in shares)
    return True, all(share > Fraction(1, 2) for share in shares)


@st.composite
def votes(draw):
    """A rule, an electorate, one ballot per some voters, and a reordering of those ballots."""
    rule = draw(st.sampled_from([MAJOR, ORDINARY, POLL]))
    areas = draw(st.lists(st.integers(0, 50_000), max_size=30))
    eligible = voters(*areas)
    choices = draw(
        st.lists(st.sampled_from([None, "yes", "no", "abstain"]), min_size=len(areas),
                 max_size=len(areas))
    )
    cast = ballots(*choices)
    return rule, eligible, cast, draw(st.permutations(cast))


@given(votes())
@settings(database=None, max_examples=300)
def test_tally_ignores_ballot_order_and_agrees_with_a_fraction_recount(vote):
    rule, eligible, cast, shuffled = vote
    result = rules.tally(rule, eligible, cast)
    assert rules.tally(rule, eligible, shuffled) == result
    assert (result.quorum_met, result.passed) == recount(rule, eligible, cast)
    assert result.participating.headcount == len(cast)
    for choice in rules.CHOICES:
        assert result.tally[choice].headcount == sum(1 for b in cast if b.choice == choice)
