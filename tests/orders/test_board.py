"""The community board: one public view for every viewer, its permissions, and its cache."""
import pytest
import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.orders import domain
from mutualaid.orders.models import Order
from tests.factories import make_user
from tests.orders.factories import make_neighbourhood, make_order, order_in
from tests.orders.test_api import ORDER_KEYS


def board_path(hood):
    return f"/communities/{hood.community.id}/board"


@pytest.fixture
def hood(db):
    hood = make_neighbourhood()
    db.session.commit()
    return hood


@pytest.mark.parametrize("who, status", [
    ("requester", 200), ("other", 200), ("staff", 200), ("admin", 200),
    ("stranger", 403), ("stranger_staff", 403), ("unhoused", 403), ("anonymous", 401),
])
def test_board_permissions(api, hood, who, status):
    elsewhere = make_neighbourhood()
    users = {"requester": hood.requester, "other": hood.other, "staff": hood.staff,
             "admin": make_user(role="admin"), "stranger": elsewhere.other,
             "stranger_staff": elsewhere.staff, "unhoused": make_user(), "anonymous": None}
    user = users[who]
    db.session.commit()
    response = api(user).get(board_path(hood))
    assert response.status_code == status
    if status != 200:
        assert "error" in response.json


def test_board_of_a_missing_community_is_404_for_an_admin(api, db):
    admin = make_user(role="admin")
    db.session.commit()
    assert api(admin).get("/communities/999999/board").status_code == 404


def test_board_is_the_same_public_view_for_everyone_open_and_visible_only(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 0
    first = make_order(hood.requester, title="First")
    second = make_order(hood.requester, title="Second")
    hidden = make_order(hood.requester, title="Hidden")
    domain.hide_order(hood.staff, hidden)
    order_in("accepted", hood)
    db.session.commit()
    answers = [api(user).get(board_path(hood)) for user in
               (hood.requester, hood.helper, hood.staff)]
    assert all(answer.status_code == 200 for answer in answers)
    assert answers[0].data == answers[1].data == answers[2].data
    body = answers[0].json
    assert set(body) == {"items", "version"} and isinstance(body["version"], int)
    assert [item["id"] for item in body["items"]] == [second.id, first.id]
    assert all(set(item) == ORDER_KEYS for item in body["items"])
    assert all(item["contact"] is None for item in body["items"])
    assert all(item["status"] == "open" and not item["hidden"] for item in body["items"])


def test_board_shows_at_most_fifty_orders(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 0
    for index in range(52):
        make_order(hood.requester, title=f"Need {index}")
    db.session.commit()
    items = api(hood.other).get(board_path(hood)).json["items"]
    assert len(items) == 50 and items[0]["title"] == "Need 51"


def _retitle_behind_the_caches_back(order, title):
    """Change the order as another process would: a new title and, as every change, a new
    version."""
    db.session.execute(sa.update(Order).where(Order.id == order.id)
                       .values(title=title, version=Order.version + 1))
    db.session.commit()


def test_cache_serves_the_same_bytes_within_the_ttl(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 600
    order = make_order(hood.requester, title="Before")
    db.session.commit()
    first = api(hood.other).get(board_path(hood)).data
    _retitle_behind_the_caches_back(order, "After")
    assert api(hood.helper).get(board_path(hood)).data == first


def test_one_cached_board_serves_every_language(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 600
    order = make_order(hood.requester, title="Before")
    hood.other.locale, hood.helper.locale = "en", "zh_CN"
    db.session.commit()
    first = api(hood.helper).get(board_path(hood)).data
    _retitle_behind_the_caches_back(order, "After")
    assert api(hood.other).get(board_path(hood)).data == first


def test_a_change_in_this_process_shows_at_once(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 600
    make_order(hood.requester, title="Before")
    db.session.commit()
    before = api(hood.other).get(board_path(hood)).json
    created = api(hood.requester).post("/orders", {"title": "New need", "tags": ["errands"]})
    assert created.status_code == 201
    after = api(hood.other).get(board_path(hood)).json
    assert after["items"][0]["id"] == created.json["id"]
    assert after["version"] > before["version"]
    assert api(hood.helper).post(f"/orders/{created.json['id']}/accept").status_code == 200
    latest = api(hood.other).get(board_path(hood)).json
    assert created.json["id"] not in [item["id"] for item in latest["items"]]
    assert latest["version"] > after["version"]


def test_a_rolled_back_change_keeps_the_cache(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 600
    order = make_order(hood.requester, title="Before")
    db.session.commit()
    first = api(hood.other).get(board_path(hood)).data
    make_order(hood.requester, title="Never")
    db.session.rollback()
    _retitle_behind_the_caches_back(order, "After")
    assert api(hood.other).get(board_path(hood)).data == first


def test_with_the_cache_disabled_every_request_is_fresh(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 0
    order = make_order(hood.requester, title="Before")
    db.session.commit()
    assert api(hood.other).get(board_path(hood)).json["items"][0]["title"] == "Before"
    _retitle_behind_the_caches_back(order, "After")
    assert api(hood.other).get(board_path(hood)).json["items"][0]["title"] == "After"


def test_a_cached_board_answer_to_a_recently_seen_token_takes_no_query(api, hood, app):
    from tests.matching.querycount import count_queries

    app.config["BOARD_CACHE_SECONDS"] = 600
    make_order(hood.requester)
    db.session.commit()
    client, path = api(hood.other), board_path(hood)
    assert client.get(path).status_code == 200  # fills both caches, runs the gated expiry
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200 and response.json["items"]
    assert queries == []


def test_an_expired_board_being_rebuilt_by_another_thread_is_answered_as_it_was(
        api, hood, app, clock):
    app.config["BOARD_CACHE_SECONDS"] = 2
    order = make_order(hood.requester, title="Before")
    db.session.commit()
    client, path = api(hood.other), board_path(hood)
    assert client.get(path).json["items"][0]["title"] == "Before"
    _retitle_behind_the_caches_back(order, "After")
    clock.advance(3)  # past the TTL

    rebuilding = app.extensions["orders_board_cache"]["locks"][hood.community.id]
    with rebuilding:  # another thread is rebuilding it
        assert client.get(path).json["items"][0]["title"] == "Before"
    assert client.get(path).json["items"][0]["title"] == "After"


def test_a_rebuild_reads_again_only_the_orders_that_changed(api, hood, app):
    from tests.matching.querycount import count_queries

    app.config["BOARD_CACHE_SECONDS"] = 600
    kept_orders = [make_order(hood.requester, title=f"Kept {index}") for index in range(3)]
    db.session.commit()
    client, path = api(hood.other), board_path(hood)
    client.get(path)
    created = api(hood.requester).post("/orders", {"title": "New need", "tags": ["errands"]})
    _retitle_behind_the_caches_back(kept_orders[0], "Retitled")
    with count_queries() as queries:
        items = client.get(path).json["items"]
    assert [item["title"] for item in items] == ["New need", "Kept 2", "Kept 1", "Retitled"]
    (full_read,) = [query for query in queries if "orders.description" in query]
    assert full_read.count("?") == 2  # the new order and the retitled one, not Kept 1 and 2


def test_a_renamed_requester_shows_at_the_next_rebuild(api, hood, app):
    app.config["BOARD_CACHE_SECONDS"] = 600
    make_order(hood.requester, title="Mine")
    db.session.commit()
    client, path = api(hood.other), board_path(hood)
    assert client.get(path).json["items"][0]["requester"]["display_name"] != "Grandma Li"
    db.session.execute(sa.update(User).where(User.id == hood.requester.id)
                       .values(display_name="Grandma Li"))
    make_order(hood.other, title="Theirs")  # a change to the community's orders: a rebuild
    db.session.commit()
    items = client.get(path).json["items"]
    assert items[1]["requester"]["display_name"] == "Grandma Li"
