"""Malformed requests get a 4xx in the error format and change nothing, route by route."""
import pytest

from tests.factories import make_building, make_staff, make_unit, make_user
from tests.snapshots import assert_unchanged, snapshot

DEEP = "[" * 5000 + "]" * 5000
LONG = "x" * 5000


@pytest.fixture
def scene(app):
    """A building with a unit, its staff, an admin and a resident waiting for verification."""
    unit = make_unit()
    return {"unit": unit, "building": unit.building, "community": unit.building.community,
            "staff": make_staff(unit.building.community), "admin": make_user(role="admin"),
            "resident": make_user()}


ROUTES = {
    "register": ("anonymous", "POST", "/auth/register"),
    "tokens": ("anonymous", "POST", "/auth/tokens"),
    "communities": ("admin", "POST", "/communities"),
    "buildings": ("staff", "POST", "/communities/{community}/buildings"),
    "units": ("staff", "POST", "/buildings/{building}/units"),
    "owner": ("staff", "POST", "/units/{unit}/owner"),
    "verify": ("staff", "POST", "/users/{resident}/verify"),
    "flags": ("staff", "PATCH", "/users/{resident}/flags"),
    "pin": ("resident", "PUT", "/me/pin"),
    "staff": ("admin", "POST", "/communities/{community}/staff"),
}
BAD_BODIES = {
    "not json": "{nope",
    "json array": "[1, 2]",
    "json string": '"hello"',
    "deeply nested": DEEP,
    "empty object": "{}",
    "unknown field": '{"surprise": 1}',
    "wrong types": '{"username": 5, "password": [], "name": {}, "lat": "north", "lon": null,'
                   ' "number": 1203, "floor_area_m2": "big", "user_id": "7", "unit_id": 1.5,'
                   ' "relation": "landlord", "vulnerable": "yes", "pin": 1234}',
    "too long": f'{{"username": "{LONG}", "password": "{LONG}", "name": "{LONG}",'
                f' "display_name": "{LONG}", "number": "{LONG}", "pin": "{LONG}"}}',
}


@pytest.mark.parametrize("body_name", BAD_BODIES)
@pytest.mark.parametrize("route", ROUTES)
def test_bad_bodies_are_refused_with_the_error_format(api, scene, route, body_name):
    actor, method, path = ROUTES[route]
    ids = {name: getattr(scene[name], "id") for name in ("community", "building", "unit",
                                                         "resident")}
    client = api(None if actor == "anonymous" else scene[actor])
    before = snapshot()
    response = client.call(method, path.format(**ids), data=BAD_BODIES[body_name],
                           content_type="application/json")
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"} and error["code"] and error["message"]
    assert_unchanged(before, snapshot())


@pytest.mark.parametrize("path", ["/me", "/users", "/communities", "/buildings/1/units"])
def test_anonymous_reads_are_401(api, path):
    response = api().get(path)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_unknown_route_and_method_answer_in_the_error_format(api):
    user = make_user()
    missing = api(user).get("/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = api(user).call("DELETE", "/skill-tags")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("number", [2**63, 10**19 - 1])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_id_past_the_database_s_range_is_404_on_a_path_of_two_methods(api, db, scene,
                                                                           number, method):
    staff = api(scene["staff"])
    db.session.commit()  # the new token is not what the snapshot compares
    before = snapshot()
    response = staff.call(method, f"/buildings/{number}/units", json={})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert_unchanged(before, snapshot())


def test_oversized_body_is_413(api):
    response = api().call("POST", "/auth/register", data="x" * (300 * 1024),
                          content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=101", "per_page=-1",
                                   f"page={2**70}"])
def test_bad_paging_is_400(api, query):
    response = api(make_user()).get(f"/communities?{query}")
    assert response.status_code == 400 and response.json["error"]["fields"]


def test_page_past_the_end_is_empty_not_an_error(api):
    make_building()
    response = api(make_user()).get("/communities?page=50")
    assert response.status_code == 200 and response.json["items"] == []
