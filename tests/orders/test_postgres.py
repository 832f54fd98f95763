"""The order queries that differ between databases (aggregates, tag prefix filter, lists,
thanks board, helper statistics) on PostgreSQL, through the API."""
from urllib.parse import urlsplit

import pytest

from mutualaid import config as app_config
from mutualaid import create_app
from mutualaid.extensions import db
from mutualaid.matching.ranking import HelperStats
from mutualaid.orders import credits, domain
from tests.conftest import FreshContextClient
from tests.factories import ApiClient
from tests.matching.factories import add_skills
from tests.orders.factories import make_neighbourhood, make_order, order_in
from tests.services import POSTGRES_URL, require_service

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path):
    """The app on a fresh schema in the PostgreSQL test database."""
    url = urlsplit(POSTGRES_URL.replace("+psycopg", ""))
    require_service("PostgreSQL", url.hostname, url.port or 5432)
    config = app_config.TestingConfig(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = POSTGRES_URL
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_orders_lifecycle_lists_and_credits_on_postgresql(pg_app):
    hood = make_neighbourhood()
    add_skills(hood.other, "repair")
    order_in("confirmed", hood)
    order_in("in_progress", hood)
    shopping = make_order(hood.requester, tags=["errands.shopping"])
    assert credits.helper_stats([hood.helper.id]) == {
        hood.helper.id: HelperStats(completed=1, active=1, rating_avg=5.0, rating_count=1)}
    assert credits.thanks_board(hood.community.id)["items"][0]["minutes"] == 45
    other = ApiClient(pg_app.test_client(), hood.other)
    assert other.get("/orders?tag=repair").json["total"] == 2
    assert [o["id"] for o in other.get("/orders?tag=errands").json["items"]] == [shopping.id]
    assert other.get("/me/suggestions").json["items"] == []
    fresh = make_order(hood.requester)
    assert [i["order"]["id"] for i in other.get("/me/suggestions").json["items"]] == [fresh.id]
    helper = ApiClient(pg_app.test_client(), hood.helper)
    assert helper.get("/me/ledger").json["balance_minutes"] == 45
    assert helper.get("/me").json["credits_minutes"] == 45
    assert other.post(f"/orders/{fresh.id}/accept").status_code == 200
    assert helper.post(f"/orders/{fresh.id}/accept").json["error"]["code"] == "invalid_transition"
    assert [e.to_status for e in domain.events_of(fresh)] == ["open", "accepted"]
