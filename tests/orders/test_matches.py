"""Orders meet matching: matches of an order, suggestions for a helper, directed orders,
helper statistics, and the best matches told of a new order in their own rooms."""
import pytest

from mutualaid.core.errors import Forbidden, ValidationFailed
from mutualaid.matching.ranking import HelperStats
from mutualaid.orders import credits, domain
from mutualaid.realtime.outbox import OUTBOX
from tests.factories import make_staff
from tests.matching.factories import add_skills, make_offer
from tests.orders.factories import make_neighbourhood, make_order, order_in


def test_helper_stats_count_completed_active_and_ratings(db):
    hood = make_neighbourhood()
    order_in("confirmed", hood)  # rated 5 by the requester
    order_in("in_progress", hood)
    order_in("completed", hood)
    stats = credits.helper_stats([hood.helper.id, hood.other.id])
    assert stats == {hood.helper.id: HelperStats(completed=2, active=1, rating_avg=5.0,
                                                 rating_count=1)}
    assert credits.helper_stats([]) == {}


def test_matches_rank_skilled_neighbours_with_reasons(api):
    hood = make_neighbourhood()
    add_skills(hood.helper, "repair")
    add_skills(hood.other, "repair.plumbing")
    order = make_order(hood.requester)
    response = api(hood.requester).get(f"/orders/{order.id}/matches")
    assert response.status_code == 200
    items = response.json["items"]
    assert [item["user_id"] for item in items] == [hood.other.id, hood.helper.id]
    assert set(items[0]) == {"user_id", "display_name", "score", "distance_m", "reasons"}
    assert items[0]["reasons"] and items[0]["distance_m"] == 0
    assert api(hood.staff).get(f"/orders/{order.id}/matches").status_code == 200
    assert api(hood.other).get(f"/orders/{order.id}/matches").status_code == 403


def test_suggestions_show_open_orders_i_fit_best_first(api):
    hood = make_neighbourhood()
    add_skills(hood.helper, "repair.plumbing", "errands")
    plumbing = make_order(hood.requester)
    shopping = make_order(hood.other, tags=["errands.shopping"], title="Groceries")
    make_order(hood.requester, tags=["it_help"], title="Phone")  # no skill: not suggested
    taken = make_order(hood.other, title="Another tap")
    domain.accept_order(hood.requester, taken)
    items = api(hood.helper).get("/me/suggestions").json["items"]
    assert [item["order"]["id"] for item in items] == [plumbing.id, shopping.id]
    assert items[0]["match"]["user_id"] == hood.helper.id and items[0]["match"]["reasons"]
    assert items[0]["order"]["contact"] is None
    assert api(hood.requester).get("/me/suggestions").json["items"] == []


def test_vulnerable_requester_orders_are_suggested_to_vetted_helpers_only(api):
    hood = make_neighbourhood(vulnerable=True)
    add_skills(hood.helper, "repair")
    add_skills(hood.other, "repair")
    hood.other.vetted = True
    order = make_order(hood.requester)
    assert api(hood.helper).get("/me/suggestions").json["items"] == []
    assert [i["order"]["id"] for i in api(hood.other).get("/me/suggestions").json["items"]] == [
        order.id]


def test_new_order_is_announced_to_the_best_matches(db):
    hood = make_neighbourhood()
    add_skills(hood.helper, "repair.plumbing")
    db.session.info.pop(OUTBOX, None)
    make_order(hood.requester)
    event, _payload, rooms = db.session.info[OUTBOX][0]
    assert event == "order.created"
    assert f"user:{hood.helper.id}" in rooms and f"user:{hood.other.id}" not in rooms


def test_directed_order_is_accepted_by_the_offer_owner_only(db):
    hood = make_neighbourhood()
    offer = make_offer(hood.helper, "repair.plumbing")
    order = make_order(hood.requester, offer_id=offer.id)
    assert domain.allowed_actions(hood.other, order) == []
    with pytest.raises(Forbidden) as raised:
        domain.accept_order(hood.other, order)
    assert raised.value.code == "not_offer_owner"
    assert domain.allowed_actions(hood.helper, order) == ["accept"]
    domain.accept_order(hood.helper, order)
    assert order.helper_id == hood.helper.id


@pytest.mark.parametrize("case", ["missing", "own", "withdrawn"])
def test_directed_order_needs_an_active_offer_of_someone_else(db, case):
    hood = make_neighbourhood()
    offer_id = {
        "missing": lambda: 999,
        "own": lambda: make_offer(hood.requester, "repair").id,
        "withdrawn": lambda: make_offer(hood.helper, "repair", active=False).id,
    }[case]()
    with pytest.raises(ValidationFailed) as raised:
        make_order(hood.requester, offer_id=offer_id)
    assert "offer_id" in raised.value.fields


def test_staff_of_another_community_cannot_see_matches(api):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    assert api(make_staff()).get(f"/orders/{order.id}/matches").status_code == 404
