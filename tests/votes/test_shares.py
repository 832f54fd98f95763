"""Cost shares: the largest-remainder rule (exact, order-free), the plan's rules, the API."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.votes import domain, shares
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import make_owner, make_vote

units_strategy = st.lists(
    st.tuples(st.integers(0, 300), st.integers(1, 50_000)), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(owners_part=st.integers(0, 10**12), units=units_strategy, seed=st.integers(0, 2**32))
def test_shares_sum_exactly_and_do_not_depend_on_the_order_of_units(owners_part, units, seed):
    rows = [(unit_id, coefficient, area) for unit_id, (coefficient, area) in enumerate(units, 1)]
    if owners_part and not any(c * a for _u, c, a in rows):
        with pytest.raises(ValueError):
            shares.allocate(owners_part, rows)
        return
    first = shares.allocate(owners_part, rows)
    random.Random(seed).shuffle(rows)
    assert shares.allocate(owners_part, rows) == first
    assert sum(share.cents for share in first) == owners_part
    total = sum(s.coefficient * s.area_hundredths for s in first)
    for share in first:  # each share is its exact part, rounded down or up by one cent
        exact = owners_part * share.coefficient * share.area_hundredths
        assert share.cents * total <= exact + total and share.cents * total >= exact - total


def test_remainder_cents_go_to_the_largest_fractions_then_the_lower_unit_id():
    # 100 cents over three equal units: 33 each, the one cent left to the lowest id
    assert [s.cents for s in shares.allocate(100, [(3, 100, 1), (1, 100, 1), (2, 100, 1)])] \
        == [34, 33, 33]
    # weights 1:2 of 100 cents: 33.33 and 66.67, the cent to the larger fraction
    assert [s.cents for s in shares.allocate(100, [(1, 100, 1), (2, 100, 2)])] == [33, 67]


def test_default_coefficients_spare_the_first_two_floors():
    assert [shares.default_coefficient(f) for f in (-1, 1, 2, 3, 30)] == [0, 0, 0, 100, 100]


@pytest.fixture
def project(db):
    """A building of five units on floors 1, 3, 4 and 12 (one ownerless), a staff member."""
    building = make_building(name="B")
    staff = make_staff(building.community)
    ground, _u = make_owner(building, "101", "60.00")
    three, _u = make_owner(building, "301", "80.00")
    make_unit(building, "302", "70.00", owner=three)
    four, _u = make_owner(building, "401", "90.00")
    ownerless = make_unit(building, "1203", "75.00")
    vote = make_vote(building, staff)
    return dict(building=building, staff=staff, ground=ground, three=three, four=four,
                ownerless=ownerless, vote=vote)


def _plan(project, **kwargs):
    kwargs.setdefault("total_cost", 35_800_000)
    kwargs.setdefault("maintenance_fund", 12_000_000)
    kwargs.setdefault("subsidy", 8_000_000)
    kwargs.setdefault("coefficients", {4: 110})
    return shares.set_cost_plan(project["staff"], project["vote"], **kwargs)


def test_plan_shares_the_owners_part_by_coefficient_and_area(project):
    _plan(project)
    rows = {row["unit"].number: row["share"] for row in shares.share_rows(project["vote"])}
    assert rows["101"].cents == 0 and rows["101"].coefficient == 0
    assert rows["401"].coefficient == 110 and rows["1203"].coefficient == 100
    assert sum(share.cents for share in rows.values()) == 15_800_000
    # 80 : 70 : 99 : 75 (coefficient × area) of 158,000.00
    assert rows["301"].cents == 15_800_000 * 8000 // 32400 + 1


def test_my_share_sums_the_owners_units(project):
    _plan(project)
    mine = shares.my_share(project["three"], project["vote"])
    assert [row["unit"].number for row in mine["rows"]] == ["301", "302"]
    assert mine["cents"] == sum(row["share"].cents for row in mine["rows"])
    with pytest.raises(Forbidden):
        shares.my_share(make_user(verified=True), project["vote"])


def test_fund_and_subsidy_over_the_total_is_refused(project):
    with pytest.raises(ValidationFailed) as error:
        _plan(project, total_cost=100, maintenance_fund=60, subsidy=41)
    assert error.value.code == "plan_exceeds_total" and project["vote"].cost_plan is None


def test_a_plan_nobody_pays_is_refused_unless_the_owners_pay_nothing(project):
    nobody = {floor: 0 for floor in (3, 4, 12)}
    with pytest.raises(ValidationFailed) as error:
        _plan(project, coefficients=nobody)
    assert error.value.code == "no_paying_units"
    _plan(project, coefficients=nobody, total_cost=100, maintenance_fund=100, subsidy=0)
    assert {row["share"].cents for row in shares.share_rows(project["vote"])} == {0}


def test_a_unit_without_a_known_floor_is_refused(project):
    make_unit(project["building"], "A", "50.00").floor = None
    with pytest.raises(ValidationFailed) as error:
        _plan(project)
    assert error.value.code == "floor_unknown"


def test_a_unit_added_later_without_a_floor_stops_the_shares_until_it_has_one(project):
    _plan(project)
    unit = make_unit(project["building"], "A", "50.00")
    unit.floor = None
    with pytest.raises(Conflict) as error:
        shares.share_rows(project["vote"])
    assert error.value.code == "floor_unknown" and "A" in error.value.message
    unit.floor = 4
    assert unit.id in {row["unit"].id for row in shares.share_rows(project["vote"])}


def test_the_plan_is_locked_once_a_ballot_is_cast(project):
    _plan(project)
    domain.cast_ballot(project["three"], project["vote"], "yes")
    with pytest.raises(Conflict) as error:
        _plan(project, total_cost=1)
    assert error.value.code == "plan_locked"


def test_api_cost_plan_shares_csv_and_my_share(api, project):
    staff, path = api(project["staff"]), f"/votes/{project['vote'].id}"
    answer = staff.put(path + "/cost-plan", {
        "total_cost": "358000.00", "maintenance_fund": "120000.00", "subsidy": "80000.00",
        "coefficients": {"4": "1.10"}})
    assert answer.status_code == 200, answer.json
    assert answer.json["owners_part"] == "158000.00"
    assert answer.json["coefficients"] == {"4": "1.10"}
    table = staff.get(path + "/shares").json
    assert table["owners_part"] == "158000.00" and len(table["items"]) == 5
    assert sum(int(row["amount"].replace(".", "")) for row in table["items"]) == 15_800_000
    ownerless = next(row for row in table["items"] if row["number"] == "1203")
    assert (ownerless["floor"], ownerless["owner"], ownerless["coefficient"]) == (12, None, "1.00")
    csv_text = staff.get(path + "/shares.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("unit_id,number,floor")
    assert len(csv_text.splitlines()) == 6
    mine = api(project["three"]).get(path + "/my-share")
    assert mine.status_code == 200 and [r["number"] for r in mine.json["items"]] == ["301", "302"]
    assert api(project["three"]).get(path + "/shares").status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"total_cost": "358000"}, "total_cost"),
    ({"total_cost": 358000}, "total_cost"),
    ({"total_cost": "1.5"}, "total_cost"),
    ({"total_cost": "-1.00"}, "total_cost"),
    ({"total_cost": "10.00", "coefficients": {"x": "1.00"}}, "coefficients"),
    ({"total_cost": "10.00", "coefficients": {"3": "-1"}}, "coefficients"),
    ({"total_cost": "10.00", "coefficients": ["1.00"]}, "coefficients"),
])
def test_api_bad_plans_answer_400_and_change_nothing(api, project, body, field):
    answer = api(project["staff"]).put(f"/votes/{project['vote'].id}/cost-plan", body)
    assert answer.status_code == 400 and field in answer.json["error"]["fields"]
    assert project["vote"].cost_plan is None


def test_api_plan_errors_carry_their_codes(api, project):
    staff, path = api(project["staff"]), f"/votes/{project['vote'].id}/cost-plan"
    over = staff.put(path, {"total_cost": "10.00", "maintenance_fund": "10.01"})
    assert over.status_code == 400 and over.json["error"]["code"] == "plan_exceeds_total"
    domain.cast_ballot(project["three"], project["vote"], "yes")
    locked = staff.put(path, {"total_cost": "10.00"})
    assert locked.status_code == 409 and locked.json["error"]["code"] == "plan_locked"
