"""Orders API: routes, the permission matrix, bad input, ledger, reports, visits, thanks."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid.core.database import utcnow
from mutualaid.orders.models import Order, OrderEvent, OrderReport
from mutualaid.orders import domain
from tests.factories import make_staff, make_unit, make_user
from tests.matching.querycount import count_queries
from tests.orders.factories import make_neighbourhood, make_order, order_in

ORDER_KEYS = {"id", "status", "title", "description", "tags", "urgency", "window_start",
              "window_end", "requester", "helper", "building_id", "community_id", "offer_id",
              "minutes", "rating", "hidden", "created_at", "updated_at", "version", "contact",
              "helper_contact"}
NEED = {"title": "Leaking tap", "description": "Kitchen", "tags": ["repair.plumbing"],
        "urgency": "high"}


def test_post_order_answers_the_contract_shape_with_contact_for_the_requester(api):
    hood = make_neighbourhood()
    response = api(hood.requester).post("/orders", NEED)
    assert response.status_code == 201
    body = response.json
    assert set(body) == ORDER_KEYS
    assert (body["status"], body["version"], body["helper"]) == ("open", 1, None)
    assert body["requester"] == {"id": hood.requester.id,
                                 "display_name": hood.requester.display_name}
    assert body["contact"] == {"phone": "13800000001", "unit_number": "101",
                               "building_name": "B"}
    assert body["building_id"] == hood.building.id and body["tags"] == ["repair.plumbing"]
    assert "+00:00" in body["created_at"]


def test_lifecycle_through_the_api_and_contact_for_the_accepted_helper(api):
    hood = make_neighbourhood()
    order_id = api(hood.requester).post("/orders", NEED).json["id"]
    helper, requester = api(hood.helper), api(hood.requester)
    assert helper.get(f"/orders/{order_id}").json["contact"] is None
    accepted = helper.post(f"/orders/{order_id}/accept")
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert accepted.json["contact"]["unit_number"] == "101"
    assert api(hood.other).get(f"/orders/{order_id}").json["contact"] is None
    assert helper.post(f"/orders/{order_id}/start").json["status"] == "in_progress"
    assert helper.post(f"/orders/{order_id}/complete", {"minutes": 50}).json["minutes"] == 50
    confirmed = requester.post(f"/orders/{order_id}/confirm", {"rating": 5, "comment": "谢谢"})
    assert confirmed.json["status"] == "confirmed" and confirmed.json["version"] == 5
    ledger = helper.get("/me/ledger").json
    assert ledger["balance_minutes"] == 50
    assert [(i["minutes"], i["order_id"], i["kind"]) for i in ledger["items"]] == [
        (50, order_id, "helped")]
    assert helper.get("/me").json["credits_minutes"] == 50
    assert requester.get("/me").json["credits_minutes"] == 0
    events = requester.get(f"/orders/{order_id}/events").json["items"]
    assert [(e["from"], e["to"]) for e in events] == [
        (None, "open"), ("open", "accepted"), ("accepted", "in_progress"),
        ("in_progress", "completed"), ("completed", "confirmed")]
    assert set(events[0]) == {"at", "actor_id", "from", "to", "note"}


def test_second_accept_conflicts_with_invalid_transition(api):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    assert api(hood.helper).post(f"/orders/{order.id}/accept").status_code == 200
    response = api(hood.other).post(f"/orders/{order.id}/accept")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "invalid_transition"


def test_list_filters_and_pagination(api, db):
    hood = make_neighbourhood()
    plumbing = make_order(hood.requester)
    shopping = make_order(hood.other, tags=["errands.shopping"], title="Groceries")
    make_order(hood.requester, tags=["it_help"], title="Phone")
    make_order(make_neighbourhood().requester)  # another community: never listed
    client = api(hood.helper)
    assert client.get("/orders").json["total"] == 3
    assert [o["id"] for o in client.get("/orders?tag=repair").json["items"]] == [plumbing.id]
    assert [o["id"] for o in client.get("/orders?tag=errands.shopping").json["items"]] == [
        shopping.id]
    client.post(f"/orders/{plumbing.id}/accept")
    assert [o["id"] for o in client.get("/orders?status=accepted").json["items"]] == [
        plumbing.id]
    assert [o["id"] for o in client.get("/orders?mine=true").json["items"]] == [plumbing.id]
    assert client.get(f"/orders?building_id={hood.building.id}").json["total"] == 3
    page = client.get("/orders?per_page=2&page=2").json
    assert (page["page"], page["pages"], page["total"], len(page["items"])) == (2, 2, 3, 1)


def test_hidden_orders_are_listed_for_staff_and_requester_only(api):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    report = api(hood.other).post(f"/orders/{order.id}/reports", {"reason": "Spam"})
    assert report.status_code == 201 and report.json["resolved"] is False
    duplicate = api(hood.other).post(f"/orders/{order.id}/reports", {"reason": "Again"})
    assert duplicate.status_code == 409
    staff = api(hood.staff)
    assert [r["order_id"] for r in staff.get("/reports").json["items"]] == [order.id]
    assert api(make_staff()).get("/reports").json["total"] == 0
    assert staff.post(f"/orders/{order.id}/hide", {"hidden": True}).json["hidden"] is True
    assert staff.get("/reports").json["total"] == 0
    assert staff.get("/reports?resolved=true").json["total"] == 1
    assert api(hood.other).get("/orders").json["total"] == 0
    assert api(hood.other).get(f"/orders/{order.id}").status_code == 404
    assert api(hood.requester).get("/orders").json["total"] == 1
    assert staff.get("/orders").json["total"] == 1


def test_staff_visits_list_shows_accepted_visits_to_vulnerable_residents(api):
    hood = make_neighbourhood(vulnerable=True, vetted_helper=True)
    visit = order_in("accepted", hood)
    order_in("open", hood)
    make_order(hood.other)
    items = api(hood.staff).get("/visits").json["items"]
    assert [o["id"] for o in items] == [visit.id]
    assert items[0]["contact"]["phone"] == "13800000001"
    assert api(make_staff()).get("/visits").json["total"] == 0


def test_thanks_board_for_residents_and_staff_of_the_community(api):
    hood = make_neighbourhood()
    order_in("confirmed", hood)
    board = api(hood.other).get(f"/communities/{hood.community.id}/thanks").json
    assert board["items"] == [{"user_id": hood.helper.id,
                               "display_name": hood.helper.display_name,
                               "minutes": 45, "orders": 1}]
    assert api(hood.staff).get(f"/communities/{hood.community.id}/thanks").status_code == 200
    outsider = make_neighbourhood().other
    assert api(outsider).get(f"/communities/{hood.community.id}/thanks").status_code == 403


def test_staff_post_on_behalf_of_a_resident(api):
    hood = make_neighbourhood()
    body = NEED | {"on_behalf_of": hood.requester.id}
    response = api(hood.staff).post("/orders", body)
    assert response.status_code == 201
    assert response.json["requester"]["id"] == hood.requester.id
    assert api(make_staff()).post("/orders", body).status_code == 403
    assert api(hood.other).post("/orders", body).status_code == 403
    for_nobody = api(hood.staff).post("/orders", NEED)
    assert for_nobody.status_code == 400 and "on_behalf_of" in for_nobody.json["error"]["fields"]


def test_lazy_expiry_on_read(api, db):
    hood = make_neighbourhood()
    order = make_order(hood.requester, window_end=utcnow() + timedelta(minutes=5))
    other = make_order(hood.requester, window_end=utcnow() + timedelta(minutes=5))
    db.session.execute(sa.update(Order).values(window_end=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert api(hood.other).get(f"/orders/{order.id}").json["status"] == "expired"
    assert db.session.get(Order, other.id).status == "expired"


# (route, who, expected status) on an order in a given status
MATRIX = [
    ("accept", "open", "requester", 403), ("accept", "open", "helper", 200),
    ("accept", "open", "unverified", 404), ("accept", "open", "outsider", 404),
    ("accept", "open", "staff", 403), ("accept", "accepted", "other", 409),
    ("start", "accepted", "helper", 200), ("start", "accepted", "requester", 403),
    ("start", "accepted", "staff", 403), ("start", "open", "helper", 409),
    ("complete", "in_progress", "helper", 200), ("complete", "in_progress", "other", 403),
    ("confirm", "completed", "requester", 200), ("confirm", "completed", "staff", 200),
    ("confirm", "completed", "helper", 403), ("confirm", "completed", "outside_staff", 404),
    ("cancel", "open", "requester", 200), ("cancel", "accepted", "staff", 200),
    ("cancel", "in_progress", "requester", 409), ("cancel", "open", "other", 403),
    ("withdraw", "accepted", "helper", 200), ("withdraw", "accepted", "requester", 403),
    ("withdraw", "in_progress", "helper", 409), ("hide", "open", "staff", 200),
    ("hide", "open", "other", 403), ("hide", "open", "outside_staff", 404),
    ("events", "open", "other", 200), ("events", "open", "outsider", 404),
    ("reports", "open", "other", 201), ("reports", "open", "anonymous", 401),
]
BODIES = {"complete": {"minutes": 20}, "confirm": {"rating": 4}, "hide": {"hidden": True},
          "reports": {"reason": "Looks like spam"}}


@pytest.mark.parametrize(("route", "status", "who", "expected"), MATRIX)
def test_permission_matrix(api, route, status, who, expected):
    hood = make_neighbourhood()
    order = order_in(status, hood)
    users = {"unverified": make_user(), "outsider": make_neighbourhood().other,
             "outside_staff": make_staff(), "anonymous": None}
    user = users[who] if who in users else getattr(hood, who)
    client = api(user)
    if route == "events":
        response = client.get(f"/orders/{order.id}/events")
    else:
        response = client.post(f"/orders/{order.id}/{route}", BODIES.get(route))
    assert response.status_code == expected, response.json
    if expected >= 400:
        assert set(response.json["error"]) == {"code", "message", "fields"}


BAD_ORDERS = [
    {}, {"title": "", "tags": ["repair"]}, {"title": "x" * 101, "tags": ["repair"]},
    {"title": "Tap", "tags": []}, {"title": "Tap", "tags": ["repair.nothing"]},
    {"title": "Tap", "tags": "repair"}, {"title": "Tap", "tags": [1]},
    {"title": "Tap", "tags": ["repair"], "urgency": "panic"},
    {"title": "Tap", "tags": ["repair"], "window_end": "yesterday"},
    {"title": "Tap", "tags": ["repair"], "window_end": "2020-01-01T00:00:00+08:00"},
    {"title": "Tap", "tags": ["repair"], "on_behalf_of": "me"},
    {"title": "Tap", "tags": ["repair"], "offer_id": 2**70},
    {"title": ["Tap"], "tags": ["repair"]}, {"title": "Tap", "tags": ["repair"], "extra": 1},
    {"title": "Tap", "description": "d" * 2001, "tags": ["repair"]},
]


@pytest.mark.parametrize("body", BAD_ORDERS)
def test_bad_new_orders_are_400_and_create_nothing(api, db, body):
    hood = make_neighbourhood()
    response = api(hood.requester).post("/orders", body)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "invalid_input"
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


@pytest.mark.parametrize(("route", "body"), [
    ("complete", {}), ("complete", {"minutes": 0}), ("complete", {"minutes": 601}),
    ("complete", {"minutes": "30"}), ("complete", {"minutes": 30.5}), ("complete", [30]),
    ("confirm", {"rating": 0}), ("confirm", {"rating": 6}), ("confirm", {"rating": True}),
    ("confirm", {"rating": 5, "comment": "c" * 501}), ("hide", {"hidden": "yes"}),
    ("reports", {"reason": ""}), ("reports", {"reason": "r" * 501}),
])
def test_bad_action_bodies_are_400_and_change_nothing(api, db, route, body):
    hood = make_neighbourhood()
    status = {"complete": "in_progress", "confirm": "completed"}.get(route, "open")
    order = order_in(status, hood)
    who = {"complete": hood.helper, "confirm": hood.requester, "hide": hood.staff}
    version = order.version
    response = api(who.get(route, hood.other)).post(f"/orders/{order.id}/{route}", body)
    assert response.status_code == 400
    db.session.expire_all()
    stored = db.session.get(Order, order.id)
    assert (stored.status, stored.version, stored.hidden) == (status, version, False)
    assert db.session.scalar(sa.select(sa.func.count(OrderReport.id))) == 0


@pytest.mark.parametrize("path", ["/orders/999", f"/orders/{2**64}", "/orders/999/events",
                                  "/communities/999/thanks"])
def test_unknown_ids_are_404(api, path):
    hood = make_neighbourhood()
    assert api(hood.other).get(path).status_code == 404


def test_non_json_body_is_400(api, db):
    hood = make_neighbourhood()
    client = api(hood.requester)
    response = client.client.post("/api/v1/orders", data="{not json", headers={
        **client.headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(OrderEvent.id))) == 0


@pytest.mark.parametrize("query", ["status=nope", "building_id=abc", "per_page=1000",
                                   "tag=" + "x" * 41, "mine=perhaps"])
def test_bad_list_queries_are_400(api, query):
    hood = make_neighbourhood()
    assert api(hood.other).get(f"/orders?{query}").status_code == 400


@pytest.mark.parametrize("who", ["other", "staff"])
def test_listing_orders_takes_the_same_queries_for_3_or_12_orders(app, api, db, who):
    app.config["ORDERS_EXPIRY_RECHECK"] = 0  # both reads run the (cached) expiry check
    hood = make_neighbourhood()
    client = api(getattr(hood, who))
    counts = []
    for batch in (3, 9):
        for i in range(batch):
            requester = make_user(verified=True,
                                  unit=make_unit(hood.building, f"{batch}{i:02d}1"))
            order = make_order(requester)
            if i % 2:
                domain.accept_order(hood.helper, order)
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/orders?per_page=50").json["total"] == len(counts) * 3 + batch
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_staff_dismiss_a_report_and_the_order_stays_visible(api):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    report = api(hood.other).post(f"/orders/{order.id}/reports", {"reason": "Odd"}).json
    assert api(make_staff()).post(f"/reports/{report['id']}/dismiss").status_code == 403
    assert api(hood.other).post(f"/reports/{report['id']}/dismiss").status_code == 403
    assert api(hood.staff).post("/reports/999/dismiss").status_code == 404
    dismissed = api(hood.staff).post(f"/reports/{report['id']}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json["resolved"] is True
    assert api(hood.staff).get("/reports").json["total"] == 0
    assert api(hood.other).get(f"/orders/{order.id}").json["hidden"] is False


def test_reads_skip_the_expiry_query_until_an_order_can_be_due(api, app, db):
    app.config["AUTH_CACHE_SECONDS"] = 0  # each read looks its token up: only expiry differs
    hood = make_neighbourhood()
    make_order(hood.requester)  # no window: never due
    db.session.commit()
    client = api(hood.other)
    reads = []
    for _ in range(3):
        with count_queries() as statements:
            client.get("/orders")
        reads.append(len(statements))
    first, later, again = reads  # the first looks for due orders and learns none can be
    assert later == again < first
    soon = api(hood.requester).post("/orders", {
        "title": "Soon", "tags": ["errands"],
        "window_end": (utcnow() + timedelta(seconds=1)).isoformat()}).json
    time.sleep(1.2)  # its window really ends: the next read expires it, though no query ran since
    assert client.get(f"/orders/{soon['id']}").json["status"] == "expired"
