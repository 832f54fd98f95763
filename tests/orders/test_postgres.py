"""The order queries that differ between databases (aggregates, tag prefix filter, lists,
thanks board, helper statistics) on PostgreSQL, through the API."""

import pytest

from mutualaid.matching.ranking import HelperStats
from mutualaid.orders import credits, domain
from tests.factories import ApiClient
from tests.matching.factories import add_skills
from tests.orders.factories import make_neighbourhood, make_order, order_in

pytestmark = pytest.mark.postgres


def test_orders_lifecycle_lists_and_credits_on_postgresql(postgres_app):
    hood = make_neighbourhood()
    add_skills(hood.other, "repair")
    order_in("confirmed", hood)
    order_in("in_progress", hood)
    shopping = make_order(hood.requester, tags=["errands.shopping"])
    assert credits.helper_stats([hood.helper.id]) == {
        hood.helper.id: HelperStats(completed=1, active=1, rating_avg=5.0, rating_count=1)}
    assert credits.thanks_board(hood.community.id)["items"][0]["minutes"] == 45
    other = ApiClient(postgres_app.test_client(), hood.other)
    assert other.get("/orders?tag=repair").json["total"] == 2
    assert [o["id"] for o in other.get("/orders?tag=errands").json["items"]] == [shopping.id]
    assert other.get("/me/suggestions").json["items"] == []
    fresh = make_order(hood.requester)
    assert [i["order"]["id"] for i in other.get("/me/suggestions").json["items"]] == [fresh.id]
    helper = ApiClient(postgres_app.test_client(), hood.helper)
    assert helper.get("/me/ledger").json["balance_minutes"] == 45
    assert helper.get("/me").json["credits_minutes"] == 45
    assert other.post(f"/orders/{fresh.id}/accept").status_code == 200
    assert helper.post(f"/orders/{fresh.id}/accept").json["error"]["code"] == "invalid_transition"
    assert [e.to_status for e in domain.events_of(fresh)] == ["open", "accepted"]
