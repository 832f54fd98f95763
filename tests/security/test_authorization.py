"""Who may do what: every /api/v1 route × every kind of actor, as one table.

Columns (``ACTORS``): anonymous, unverified resident, verified resident (a neighbour, not a
party to the orders), helper (accepted the orders), staff of another community ("outsider"),
staff of the community, admin, and a lobby kiosk's token. A cell is the expected status:
``2xx`` or an exact code. Every route needs at least one row, so a new route without one
fails ``test_the_table_covers_every_api_route``. Every case starts from the same freshly
restored world (reads too), and a refused change leaves every table as it was.
"""
import re
from datetime import timedelta

import pytest
import schemathesis

from mutualaid.core.database import utcnow
from mutualaid.kiosk.scope import KIOSK_SCOPE
from tests.security.world import ACTORS, KIOSK_ACTORS, PIN, World
from tests.snapshots import assert_unchanged, snapshot

LATER = (utcnow() + timedelta(days=3)).isoformat()
NEW_UNIT = {"number": "901", "floor_area_m2": "50.00"}
NEW_ORDER = {"title": "Fix a tap", "tags": ["repair"]}
NEW_SERVICE = {"title": "Tea", "provider": "Hut", "category": "care", "community_id": "{alpha}"}
NEW_SESSION = {"starts_at": LATER, "duration_min": 60, "capacity": 3, "place": "Hut"}
NEW_VOTE = {"title": "Paint", "description": "Paint the hall", "rule": "poll",
            "building_id": "{home}"}
REGISTER = {"username": "fresh", "password": "long enough", "display_name": "Fresh"}
SUBSCRIPTION = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc",
                "keys": {"p256dh": "BA" + "A" * 85, "auth": "A" * 22}}
PAPER = {"choice": "no", "unit_id": "{free_unit}", "channel": "paper", "note": "at the door"}
PROXY = {"owner_id": "{resident}", "proxy_id": "{helper}", "note": "Signed at the hut",
         "signed_on": utcnow().date().isoformat()}

#         anon unver resid helper outsd staff admin kiosk
USER = "   401  2xx   2xx   2xx    2xx   2xx   2xx   401"  # any signed-in person
STAFF = "  401  403   403   403    403   2xx   2xx   401"  # staff of the community, admins
SCOPED = " 401  403   403   403    2xx   2xx   2xx   401"  # staff lists, scoped to their own
ANYONE = " 2xx  2xx   2xx   2xx    2xx   2xx   2xx   2xx"
ADMIN = "  401  403   403   403    403   403   2xx   401"
KIOSK = "  401  401   401   401    401   401   401   2xx"
MEMBER = " 401  404   2xx   2xx    404   2xx   2xx   401"  # the community's people (else hidden)
HELPER = " 401  404   403   2xx    404   403   403   401"  # the helper only
FOR_REQUESTER = "401  404   403   403    404   2xx   2xx   401"  # requester (not an actor), staff
OWNER = "  401  403   403   2xx    403   403   403   401"  # the offer's owner (the helper)
VERIFIED = "401  403   2xx   2xx    403   403   403   401"  # verified residents themselves
PARTICIPANT = "401 404  403   2xx    404   2xx   2xx   401"  # requester, helper, staff
PRIVATE = " 401  404   404   404    404   2xx   2xx   401"  # the appellant (no actor), staff
NEW_APPEAL = {"category": "facilities", "title": "Gate", "building_id": "{home}"}

# (method, path, body, expected): paths and bodies are filled from the world's ids.
TABLE = [
    ("POST", "/auth/register", REGISTER, ANYONE),
    ("POST", "/auth/tokens", {"username": "resi", "password": "{password}"}, ANYONE),
    ("DELETE", "/auth/tokens/current", None, USER),
    ("GET", "/openapi.json", None, ANYONE),
    ("GET", "/skill-tags", None, ANYONE),
    ("GET", "/me", None, USER),
    ("GET", "/me/bookings", None, USER),
    ("GET", "/me/ledger", None, USER),
    ("GET", "/me/skills", None, USER),
    ("PUT", "/me/skills", {"tags": ["repair"]}, USER),
    ("GET", "/me/suggestions", None, USER),
    ("PUT", "/me/pin", {"pin": "2468"}, USER),
    # places
    ("POST", "/communities", {"name": "Gamma"}, ADMIN),
    ("GET", "/communities", None, USER),
    ("POST", "/communities/{alpha}/buildings", {"name": "A2", "lat": 23.0, "lon": 113.1}, STAFF),
    ("GET", "/communities/{alpha}/buildings", None, MEMBER),
    ("POST", "/communities/{alpha}/staff", {"user_id": "{resident}"}, ADMIN),
    ("POST", "/buildings/{home}/units", NEW_UNIT, STAFF),
    ("GET", "/buildings/{home}/units", None, STAFF),
    ("POST", "/units/{free_unit}/owner", {"user_id": "{resident}"}, STAFF),
    # accounts, staff side
    ("GET", "/users", None, SCOPED),
    ("POST", "/users/{unverified}/verify", {"unit_id": "{free_unit}", "relation": "tenant"},
     STAFF),
    # moving someone verified in another community: only that community's staff or an admin
    ("POST", "/users/{neighbour_b}/verify", {"unit_id": "{free_unit}", "relation": "tenant"},
     ADMIN),
    ("PATCH", "/users/{resident}/flags", {"vetted": True}, STAFF),
    ("PUT", "/users/{resident}/pin", {"pin": "2468"}, STAFF),
    # a staff member setting an admin's (or another staff's) PIN could sign in as them
    ("PUT", "/users/{admin}/pin", {"pin": "2468"}, ADMIN),
    ("PUT", "/users/{outsider}/pin", {"pin": "2468"}, "401 403 403 403 2xx 403 2xx 401"),
    # matching
    ("POST", "/offers", {"title": "Shopping", "tags": ["errands"]}, VERIFIED),
    ("GET", "/offers", None, USER),
    ("GET", "/offers/{offer}", None, MEMBER),
    ("PATCH", "/offers/{offer}", {"title": "Taps and pipes"}, OWNER),
    ("DELETE", "/offers/{offer}", None, OWNER),
    # orders
    # staff have no home: they must name the resident (400), see the next row
    ("POST", "/orders", NEW_ORDER, "401 403 2xx 2xx 400 400 400 401"),
    ("POST", "/orders", NEW_ORDER | {"on_behalf_of": "{requester}"}, STAFF),
    ("GET", "/orders", None, USER),
    ("GET", "/orders/{order_open}", None, MEMBER),
    ("GET", "/orders/{order_beta}", None, "401 404 404 404 2xx 404 2xx 401"),
    ("GET", "/orders/{order_accepted}/events", None, MEMBER),
    ("GET", "/orders/{order_open}/matches", None, FOR_REQUESTER),
    ("POST", "/orders/{order_open}/accept", None, "401 404 2xx 2xx 404 403 403 401"),
    ("POST", "/orders/{order_accepted}/start", None, HELPER),
    ("POST", "/orders/{order_accepted}/withdraw", None, HELPER),
    ("POST", "/orders/{order_started}/complete", {"minutes": 30}, HELPER),
    ("POST", "/orders/{order_done}/confirm", {"rating": 5}, FOR_REQUESTER),
    ("POST", "/orders/{order_open}/cancel", None, FOR_REQUESTER),
    ("POST", "/orders/{order_open}/reports", {"reason": "Rude"}, MEMBER),
    ("POST", "/orders/{order_open}/hide", {"hidden": True}, "401 403 403 403 404 2xx 2xx 401"),
    ("GET", "/reports", None, SCOPED),
    ("POST", "/reports/{report}/dismiss", None, STAFF),
    ("GET", "/visits", None, SCOPED),
    ("GET", "/communities/{alpha}/thanks", None, "401 403 2xx 2xx 403 2xx 2xx 401"),
    ("GET", "/communities/{alpha}/board", None, "401 403 2xx 2xx 403 2xx 2xx 401"),
    # votes
    ("POST", "/votes", NEW_VOTE, STAFF),
    ("GET", "/votes", None, USER),
    ("GET", "/votes/{vote}", None, MEMBER),
    ("GET", "/votes/{vote_beta}", None, "401 404 404 404 2xx 404 2xx 401"),
    ("GET", "/votes/{vote}/result", None, MEMBER),
    ("POST", "/votes/{vote}/ballots", {"choice": "yes"}, VERIFIED),
    ("POST", "/votes/{vote}/ballots", PAPER, STAFF),
    ("GET", "/votes/{vote}/pending-units", None, STAFF),
    ("GET", "/votes/{vote}/ballots.csv", None, STAFF),
    ("POST", "/votes/{vote}/close", None, STAFF),
    ("GET", "/votes/{vote}/receipts/{receipt}", None, ANYONE),
    # catalogue
    ("POST", "/services", NEW_SERVICE, STAFF),
    ("GET", "/services", None, USER),
    ("GET", "/services/{service}", None, USER),
    ("PATCH", "/services/{service}", {"title": "Tea and a chat"}, STAFF),
    ("POST", "/services/{service}/sessions", NEW_SESSION, STAFF),
    ("POST", "/sessions/{session}/bookings", None, VERIFIED),
    ("GET", "/sessions/{session}/bookings", None, STAFF),
    ("DELETE", "/bookings/{booking}", None, STAFF),
    ("PUT", "/bookings/{booking}/attendance", {"attended": True}, STAFF),
    # kiosks: staff manage them; a kiosk token reads its board and signs people in, and is
    # nobody anywhere else
    ("POST", "/kiosks", {"name": "Hall", "building_id": "{home}"}, STAFF),
    ("GET", "/kiosks", None, SCOPED),
    ("DELETE", "/kiosks/{kiosk}", None, STAFF),
    ("GET", "/kiosk/board", None, KIOSK),
    ("GET", "/kiosk/people", None, KIOSK),
    ("POST", "/kiosk/sign-in", {"username": "resi", "pin": PIN}, KIOSK),
    # building projects (votes): cost plan and shares, stages, documents, questions, proxies
    ("PUT", "/votes/{project}/cost-plan", {"total_cost": "100.00"}, STAFF),
    ("GET", "/votes/{project}/shares", None, STAFF),
    ("GET", "/votes/{project}/shares.csv", None, STAFF),
    ("GET", "/votes/{project}/my-share", None, "401 404 2xx 2xx 404 403 403 401"),
    ("POST", "/votes/{project}/documents", None, "401 403 403 403 403 400 400 401"),
    ("GET", "/vote-documents/{document}", None, MEMBER),
    ("POST", "/votes/{project}/questions", {"text": "Who pays?"},
     "401 404 2xx 2xx 404 403 403 401"),
    ("POST", "/questions/{question}/answer", {"text": "The owners."}, STAFF),
    ("POST", "/votes/{vote_objection}/objections", {"text": "Recount"},
     "401 404 2xx 2xx 404 403 403 401"),
    ("POST", "/objections/{objection}/answer", {"text": "Recounted."}, STAFF),
    ("POST", "/votes/{vote_objection}/recount", None, STAFF),
    ("POST", "/votes/{vote_objection}/finalize", None, "401 403 403 403 403 409 409 401"),
    ("POST", "/votes/{project}/proxies", PROXY, STAFF),
    ("DELETE", "/proxies/{proxy}", None, STAFF),
    ("POST", "/votes/{project}/ballots", {"choice": "yes", "for_owner_id": "{requester}"},
     "401 403 403 2xx 403 403 403 401"),
    # account self-service: one's own profile, password, data and account; reset codes from
    # the hut (owners of record in the open vote may not close their account: 409)
    ("PATCH", "/me", {"display_name": "New name", "share_phone": False}, USER),
    ("PUT", "/me/password", {"current_password": "{password}",
                             "new_password": "a brand new password"}, USER),
    ("GET", "/me/export", None, USER),
    ("DELETE", "/me", {"password": "{password}"}, "401 2xx 409 409 403 403 403 401"),
    ("POST", "/users/{resident}/reset-codes", None, STAFF),
    ("POST", "/auth/reset", {"username": "resi", "code": "ABCD-EFGH",
                             "new_password": "a brand new password"},
     "400 400 400 400 400 400 400 400"),
    # conversation and notifications (issue 16): an order's participants talk once it is
    # accepted; a neighbour who sees the order is no participant (403), others see nothing
    ("GET", "/orders/{order_accepted}/messages", None, PARTICIPANT),
    ("GET", "/orders/{order_open}/messages", None, "401 404 403 403 404 403 403 401"),
    ("POST", "/orders/{order_accepted}/messages", {"body": "At six?"}, PARTICIPANT),
    ("POST", "/orders/{order_accepted}/messages/read", {"up_to": "{message}"}, PARTICIPANT),
    ("POST", "/messages/{message}/reports", {"reason": "Rude"}, "401 404 404 2xx 404 2xx 2xx 401"),
    ("POST", "/reports/{report}/resolve", {"hide": False, "note": "Fine"}, STAFF),
    ("GET", "/me/notifications", None, USER),
    ("POST", "/me/notifications/read", {"all": True}, USER),
    ("GET", "/me/notification-settings", None, USER),
    ("PUT", "/me/notification-settings", {"push": False}, USER),
    ("GET", "/push/public-key", None, ANYONE),
    ("POST", "/me/push-subscriptions", SUBSCRIPTION, USER),
    ("DELETE", "/me/push-subscriptions", {"endpoint": SUBSCRIPTION["endpoint"]}, USER),
    ("GET", "/communities/{alpha}/sms-outbox", None, STAFF),
    # streets, grids and appeals (the requester, no actor, filed the appeals; street staff
    # and a grid worker have cells of their own in APPEAL_ACTORS below)
    ("POST", "/streets", {"name": "Lianhua"}, ADMIN),
    ("POST", "/streets/{street}/communities", {"community_id": "{beta}"}, ADMIN),
    ("POST", "/streets/{street}/staff", {"user_id": "{resident}"}, ADMIN),
    ("POST", "/communities/{alpha}/grids",
     {"name": "Grid B", "building_ids": ["{home2}"], "worker_ids": ["{resident}"]}, STAFF),
    ("PATCH", "/grids/{grid}", {"name": "Grid North", "building_ids": ["{home}", "{home2}"]},
     STAFF),
    ("GET", "/appeal-categories", None, ANYONE),
    ("POST", "/appeals", NEW_APPEAL, "401 403 2xx 2xx 400 400 400 401"),
    ("POST", "/appeals", NEW_APPEAL | {"on_behalf_of": "{resident}", "visit_note": "Visit"},
     "401 403 403 403 403 2xx 2xx 401"),
    ("GET", "/appeals", None, USER),
    ("GET", "/appeals/similar", None, "401 400 400 400 400 400 400 401"),  # no category
    ("GET", "/appeals/{appeal}", None, MEMBER),
    ("GET", "/appeals/{appeal_private}", None, PRIVATE),
    ("GET", "/appeals/{appeal}/events", None, MEMBER),
    ("POST", "/appeals/{appeal}/follow", None, MEMBER),
    ("DELETE", "/appeals/{appeal}/follow", None, MEMBER),
    ("POST", "/appeals/{appeal}/photos", None, "401 404 403 403 404 403 403 401"),
    ("GET", "/appeal-photos/{appeal_photo}", None, PRIVATE),
    ("POST", "/appeals/{appeal}/accept", None, FOR_REQUESTER),
    ("POST", "/appeals/{appeal_accepted}/start", None, FOR_REQUESTER),
    ("POST", "/appeals/{appeal_started}/resolve", {"reply": "Fixed"}, FOR_REQUESTER),
    ("POST", "/appeals/{appeal}/reject", {"reason": "Not ours"}, FOR_REQUESTER),
    ("POST", "/appeals/{appeal}/escalate", {"reason": "Too big"}, FOR_REQUESTER),
    ("POST", "/appeals/{appeal}/merge", {"into": "{appeal_accepted}"}, FOR_REQUESTER),
    ("POST", "/appeals/{appeal_resolved}/rating", {"rating": "satisfied"},
     "401 404 403 403 404 403 403 401"),
    ("GET", "/communities/{alpha}/appeals/recurring", None, STAFF),
    ("GET", "/communities/{alpha}/appeals-board", None, ANYONE),
    ("GET", "/streets/{street}/appeals-board", None, ANYONE),
    ("GET", "/communities/{alpha}/appeal-limits", None, STAFF),
    ("PUT", "/communities/{alpha}/appeal-limits", {"grid": {"accept_minutes": 60}}, STAFF),
    ("PUT", "/streets/{street}/appeal-limits", {"street": {"accept_minutes": 60}}, ADMIN),
]

# --- kiosk sign-ins (issue 13): the two KIOSK_ACTORS columns ---------------------------------
# A row of TABLE says nothing of them: outside the kiosk's scope (mutualaid/kiosk/scope.py)
# they get 403 ``kiosk_scope``; a route in that scope is tried with the rows below instead
# (each such route needs one, see ``test_every_kiosk_route_has_kiosk_rows``).
#               kiosk_resident kiosk_staff
NEW_APPEAL = {"category": "facilities", "title": "Gate", "description": "Broken",
              "building_id": "{home}"}
KIOSK_TABLE = [
    ("GET", "/me", None, "2xx 2xx"),
    ("DELETE", "/auth/tokens/current", None, "2xx 2xx"),
    ("POST", "/orders", NEW_ORDER, "2xx 400"),
    ("POST", "/orders", NEW_ORDER | {"on_behalf_of": "{requester}"}, "403 2xx"),
    ("GET", "/orders/{order_open}", None, "2xx 2xx"),
    ("GET", "/orders/{order_beta}", None, "404 404"),
    ("GET", "/votes", None, "2xx 2xx"),
    ("GET", "/votes/{vote}", None, "2xx 2xx"),
    ("GET", "/votes/{vote_beta}", None, "404 404"),
    ("GET", "/votes/{vote}/result", None, "2xx 2xx"),
    ("POST", "/votes/{vote}/ballots", {"choice": "yes"}, "2xx 403"),
    ("POST", "/votes/{vote}/ballots", PAPER, "403 2xx"),
    ("GET", "/votes/{vote}/pending-units", None, "403 2xx"),
    ("GET", "/services", None, "2xx 2xx"),
    ("GET", "/services/{service}", None, "2xx 2xx"),
    ("POST", "/sessions/{session}/bookings", None, "2xx 403"),
    ("DELETE", "/bookings/{booking}", None, "403 2xx"),
    ("GET", "/me/bookings", None, "2xx 2xx"),
    ("POST", "/appeals", NEW_APPEAL, "2xx 400"),
    ("POST", "/appeals", NEW_APPEAL | {"on_behalf_of": "{requester}", "visit_note": "At home"},
     "403 2xx"),
    ("POST", "/votes/{project}/questions", {"text": "Who pays?"}, "2xx 403"),
    ("GET", "/votes/{project}/my-share", None, "2xx 403"),
    ("GET", "/votes/{project}/shares", None, "403 2xx"),
    ("GET", "/orders/{order_accepted}/messages", None, "403 2xx"),
    ("POST", "/orders/{order_accepted}/messages", {"body": "At six?"}, "403 2xx"),
]


def endpoint_name(method, path):
    """The API endpoint name (``orders_create``) of a table path, ids as placeholders."""
    adapter = _ADAPTER.bind("localhost")
    endpoint, _args = adapter.match("/api/v1" + re.sub(r"\{\w+\}", "1", path), method=method)
    return endpoint.removeprefix("api.")


def _url_map():
    from mutualaid import create_app
    from mutualaid.core.config import TestingConfig
    import tempfile

    return create_app(TestingConfig(tempfile.mkdtemp(prefix="sharehut-map-"))).url_map


_ADAPTER = _url_map()
CELLS = [(method, path, body, actor, expected)
         for method, path, body, row in TABLE
         for actor, expected in zip(ACTORS, row.split(), strict=True)]
CELLS += [(method, path, body, actor, "kiosk_scope")
          for method, path, body, _row in TABLE if endpoint_name(method, path) not in KIOSK_SCOPE
          for actor in KIOSK_ACTORS]
CELLS += [(method, path, body, actor, expected)
          for method, path, body, row in KIOSK_TABLE
          for actor, expected in zip(KIOSK_ACTORS, row.split(), strict=True)]
# Street staff and a grid worker (tests/security/world.py): every streets and appeals route,
# what they let them do, and that it is nothing else (``test_every_appeal_route_has_a_row``).
# Street staff act at `street` only (appeal_street is there); the grid worker at `grid` in
# Grid A (where the requester's appeals start). Neither is staff of Alpha nor has a home.
#                                                                        street_staff grid_worker
APPEAL_ACTORS = [
    ("POST", "/streets", {"name": "Lianhua"}, "403 403"),
    ("POST", "/streets/{street}/communities", {"community_id": "{beta}"}, "403 403"),
    ("POST", "/streets/{street}/staff", {"user_id": "{resident}"}, "403 403"),
    ("POST", "/communities/{alpha}/grids",
     {"name": "Grid B", "building_ids": ["{home2}"], "worker_ids": ["{resident}"]}, "403 403"),
    ("PATCH", "/grids/{grid}", {"name": "Grid North"}, "403 403"),
    ("GET", "/appeal-categories", None, "2xx 2xx"),
    ("POST", "/appeals", NEW_APPEAL, "400 400"),  # no home: they must name the resident
    ("POST", "/appeals", NEW_APPEAL | {"on_behalf_of": "{resident}", "visit_note": "Visit"},
     "403 403"),  # filing for a resident is for the community's staff
    ("GET", "/appeals", None, "2xx 2xx"),
    ("GET", "/appeals/similar", None, "400 400"),
    ("GET", "/appeals/{appeal}", None, "2xx 2xx"),
    ("GET", "/appeals/{appeal_private}", None, "2xx 2xx"),
    ("GET", "/appeals/{appeal_street}", None, "2xx 2xx"),
    ("GET", "/appeals/{appeal}/events", None, "2xx 2xx"),
    ("POST", "/appeals/{appeal}/follow", None, "2xx 2xx"),
    ("DELETE", "/appeals/{appeal}/follow", None, "2xx 2xx"),
    ("POST", "/appeals/{appeal}/photos", None, "403 403"),
    ("GET", "/appeal-photos/{appeal_photo}", None, "2xx 2xx"),
    ("POST", "/appeals/{appeal}/accept", None, "403 2xx"),
    ("POST", "/appeals/{appeal_street}/accept", None, "2xx 403"),
    ("POST", "/appeals/{appeal_accepted}/start", None, "403 2xx"),
    ("POST", "/appeals/{appeal_started}/resolve", {"reply": "Fixed"}, "403 2xx"),
    ("POST", "/appeals/{appeal}/reject", {"reason": "Not ours"}, "403 2xx"),
    ("POST", "/appeals/{appeal_street}/reject", {"reason": "Not ours"}, "2xx 403"),
    ("POST", "/appeals/{appeal}/escalate", {"reason": "Too big"}, "403 2xx"),
    ("POST", "/appeals/{appeal_street}/escalate", {"reason": "Too big"}, "409 403"),  # the top
    ("POST", "/appeals/{appeal}/merge", {"into": "{appeal_accepted}"}, "403 2xx"),
    ("POST", "/appeals/{appeal_street}/merge", {"into": "{appeal}"}, "2xx 403"),
    ("POST", "/appeals/{appeal_resolved}/rating", {"rating": "satisfied"}, "403 403"),
    ("GET", "/communities/{alpha}/appeals/recurring", None, "2xx 403"),
    ("GET", "/communities/{alpha}/appeals-board", None, "2xx 2xx"),
    ("GET", "/streets/{street}/appeals-board", None, "2xx 2xx"),
    ("GET", "/communities/{alpha}/appeal-limits", None, "2xx 403"),
    ("PUT", "/communities/{alpha}/appeal-limits", {"grid": {"accept_minutes": 60}}, "403 403"),
    ("PUT", "/streets/{street}/appeal-limits", {"street": {"accept_minutes": 60}}, "2xx 403"),
    # and nothing of the rest of the community
    ("POST", "/communities/{alpha}/buildings", {"name": "A3", "lat": 23.0, "lon": 113.1},
     "403 403"),
    ("GET", "/buildings/{home}/units", None, "403 403"),
    ("GET", "/votes/{vote}", None, "404 404"),
]
APPEAL_COLUMNS = ("street_staff", "grid_worker")
CELLS += [(method, path, body, actor, expected) for method, path, body, row in APPEAL_ACTORS
          for actor, expected in zip(APPEAL_COLUMNS, row.split(), strict=True)]


@pytest.fixture(scope="module")
def built_world(tmp_path_factory):
    """The seeded world, built once for the module."""
    world = World(tmp_path_factory.mktemp("authz"))
    world.client = world.app.test_client()
    world.document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)
    return world


@pytest.fixture
def world(built_world):
    """The world as it was built, whatever the case before changed."""
    return built_world.restore()


def fill(value, world):
    """A path or body with ``{name}`` placeholders replaced from the world."""
    names = world.ids | {"password": world.password}
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
            return names[value[1:-1]]
        return value.format(**names)
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return value


def test_every_kiosk_route_has_kiosk_rows():
    assert KIOSK_SCOPE == {endpoint_name(method, path) for method, path, _b, _r in KIOSK_TABLE}


def test_every_appeal_route_has_a_row():
    """Every streets and appeals route of TABLE is tried by street staff and a grid worker."""
    def names(table):
        return {endpoint_name(method, path) for method, path, _b, _r in table
                if endpoint_name(method, path).startswith(("appeals_", "streets_"))}

    assert names(TABLE) <= names(APPEAL_ACTORS)


def test_the_table_covers_every_api_route(world):
    adapter = world.app.url_map.bind("localhost")
    routes = {(method, rule.rule) for rule in world.app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = set()
    for method, path, body, _row in TABLE:
        endpoint, _args = adapter.match("/api/v1" + fill(path, world), method=method)
        rule = next(r for r in world.app.url_map.iter_rules(endpoint))
        covered.add((method, rule.rule))
    assert routes - covered == set(), "routes without a row in the authorisation table"


@pytest.mark.parametrize("method, path, body, actor, expected", CELLS,
                         ids=[f"{m} {p} {a}" for m, p, _b, a, _e in CELLS])
def test_authorisation(world, method, path, body, actor, expected):
    url = "/api/v1" + fill(path, world)
    before = snapshot(world.app)
    response = world.client.open(url, method=method, json=fill(body, world),
                                 headers=world.headers(actor))
    status = response.status_code
    if expected == "kiosk_scope":
        assert status == 403 and response.json["error"]["code"] == "kiosk_scope"
        assert_unchanged(before, snapshot(world.app))
        return
    assert ("2xx" if 200 <= status < 300 else str(status)) == expected, response.get_data(True)
    if not 200 <= status < 300:
        assert_unchanged(before, snapshot(world.app))
    # and the answer is what the OpenAPI document says (real data: nulls, lists, statuses)
    world.document[documented_path(world, method, url)][method].validate_response(response)


def documented_path(world, method, url):
    """The OpenAPI path of a request URL (``/api/v1/orders/{order_id}``)."""
    endpoint, _args = world.app.url_map.bind("localhost").match(url, method=method)
    rule = next(iter(world.app.url_map.iter_rules(endpoint))).rule
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


PROJECT_VOTES = ("project", "vote_objection")  # the world's building-project votes
# What a list shows each actor (by the world's names of its items): a 200 is not enough.
LISTS = [
    ("/users", "username", {
        "outsider": {"newbie", "beta1"},
        "staff": {"newbie", "resi", "helpa", "reqa"},
        "admin": {"newbie", "resi", "helpa", "reqa", "beta1"},
    }),
    ("/orders", "id", {
        "unverified": set(),
        "resident": {"order_open", "order_accepted", "order_started", "order_done"},
        "outsider": {"order_beta"},
        "staff": {"order_open", "order_accepted", "order_started", "order_done"},
    }),
    ("/votes", "id", {"unverified": set(), "resident": {"vote", *PROJECT_VOTES},
                      "outsider": {"vote_beta"}, "staff": {"vote", *PROJECT_VOTES}}),
    ("/reports", "id", {"outsider": set(), "staff": {"report"}}),
    ("/kiosks", "id", {"outsider": set(), "staff": {"kiosk"}}),
]
LIST_CELLS = [(path, key, actor, names) for path, key, by_actor in LISTS
              for actor, names in by_actor.items()]


@pytest.mark.parametrize("path, key, actor, names", LIST_CELLS,
                         ids=[f"{p} {a}" for p, _k, a, _n in LIST_CELLS])
def test_lists_show_only_what_the_actor_may_see(world, path, key, actor, names):
    response = world.client.get(f"/api/v1{path}?per_page=100", headers=world.headers(actor))
    assert response.status_code == 200
    got = {item[key] for item in response.json["items"]}
    if key == "username":
        assert got == names
    else:
        assert got == {world.ids[name] for name in names}
