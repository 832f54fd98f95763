"""The catalogue over HTTP: who may do what, bookings, bad input changes nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid.catalogue.models import Booking, Service, ServiceSession
from mutualaid.core.database import utcnow
from tests.catalogue.factories import make_service, make_session
from tests.factories import make_building, make_community, make_staff, make_unit, make_user

SERVICE = {"title": "Health check", "provider": "Clinic", "category": "health",
           "audience": "elderly", "description": "Blood pressure and sugar"}


def future(days=1):
    return (utcnow() + timedelta(days=days)).isoformat()


def session_body(capacity=2):
    return {"starts_at": future(), "duration_min": 30, "capacity": capacity, "place": "Hut"}


@pytest.fixture
def world(db):
    """A community with a service and a 2-seat session; its staff, a resident, an outsider."""
    community = make_community()
    service = make_service(community)
    return {
        "community": community, "service": service, "session": make_session(service),
        "staff": make_staff(community), "other_staff": make_staff(make_community()),
        "resident": make_user(verified=True, unit=make_unit(make_building(community))),
        "unverified": make_user(),
        "outsider": make_user(verified=True),
    }


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("who, status", [
    (None, 401), ("unverified", 403), ("resident", 403), ("other_staff", 403), ("staff", 201),
])
def test_api_services_post_permissions(api, world, db, who, status):
    body = {**SERVICE, "community_id": world["community"].id}
    response = api(world.get(who)).post("/services", json=body)
    assert response.status_code == status, response.json
    assert count(db, Service) == (2 if status == 201 else 1)


@pytest.mark.parametrize("who, status", [
    (None, 401), ("resident", 403), ("other_staff", 403), ("staff", 201),
])
def test_api_sessions_post_permissions(api, world, db, who, status):
    response = api(world.get(who)).post(f"/services/{world['service'].id}/sessions",
                                        json=session_body())
    assert response.status_code == status, response.json
    assert count(db, ServiceSession) == (2 if status == 201 else 1)


@pytest.mark.parametrize("who, status", [
    (None, 401), ("unverified", 403), ("outsider", 403), ("other_staff", 403), ("resident", 201),
])
def test_api_bookings_post_permissions(api, world, db, who, status):
    response = api(world.get(who)).post(f"/sessions/{world['session'].id}/bookings")
    assert response.status_code == status, response.json
    assert count(db, Booking) == (1 if status == 201 else 0)


@pytest.mark.parametrize("who, status", [
    (None, 401), ("resident", 403), ("other_staff", 403), ("staff", 200),
])
def test_api_session_bookings_list_permissions(api, world, who, status):
    response = api(world.get(who)).get(f"/sessions/{world['session'].id}/bookings")
    assert response.status_code == status


@pytest.mark.parametrize("who, status", [
    ("outsider", 403), ("other_staff", 403), ("resident", 204), ("staff", 204),
])
def test_api_booking_delete_permissions(api, world, db, who, status):
    booker = make_user(verified=True, unit=make_unit(make_building(world["community"])))
    booking = api(booker).post(f"/sessions/{world['session'].id}/bookings").json
    if who == "resident":
        world["resident"] = booker
    response = api(world[who]).delete(f"/bookings/{booking['id']}")
    assert response.status_code == status
    assert db.session.get(ServiceSession, world["session"].id).booked == (0 if status == 204 else 1)


@pytest.mark.parametrize("who, status", [
    (None, 401), ("unverified", 403), ("resident", 403), ("other_staff", 403), ("staff", 200),
])
def test_api_service_patch_permissions(api, world, db, who, status):
    before = world["service"].title
    response = api(world.get(who)).patch(f"/services/{world['service'].id}",
                                         json={"title": "Tea and a chat"})
    assert response.status_code == status, response.json
    db.session.expire_all()
    assert world["service"].title == ("Tea and a chat" if status == 200 else before)


def test_api_staff_edit_every_field_of_a_service(api, world, db):
    changes = {"title": "Health check", "provider": "Street clinic", "category": "health",
               "audience": "everyone", "description": ""}
    answer = api(world["staff"]).patch(f"/services/{world['service'].id}", json=changes)
    assert answer.status_code == 200
    assert {key: answer.json[key] for key in changes} == changes
    db.session.expire_all()
    assert {key: getattr(world["service"], key) for key in changes} == changes


def test_api_withdrawn_service_is_unlisted_and_unbookable_until_offered_again(api, world, db):
    staff, resident = api(world["staff"]), api(world["resident"])
    service, session = f"/services/{world['service'].id}", world["session"]
    early = make_user(verified=True, unit=make_unit(make_building(world["community"])))
    assert api(early).post(f"/sessions/{session.id}/bookings").status_code == 201

    assert staff.patch(service, json={"active": False}).json["active"] is False
    assert resident.get("/services").json["total"] == 0
    assert resident.get(service).json["active"] is False  # a saved link still explains
    refused = resident.post(f"/sessions/{session.id}/bookings")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "service_inactive"
    db.session.expire_all()
    assert db.session.get(ServiceSession, session.id).booked == 1  # the early seat stays

    assert staff.patch(service, json={"active": True}).status_code == 200
    assert resident.get("/services").json["total"] == 1
    assert resident.post(f"/sessions/{session.id}/bookings").status_code == 201


def test_api_services_get_lists_sessions_with_seats_left(api, world):
    api(world["resident"]).post(f"/sessions/{world['session'].id}/bookings")
    body = api(world["resident"]).get("/services?category=care&audience=elderly").json
    assert body["total"] == 1
    [session] = body["items"][0]["sessions"]
    assert (session["capacity"], session["booked"], session["seats_left"]) == (2, 1, 1)
    assert api(world["resident"]).get("/services?category=legal").json["total"] == 0


def test_api_third_booking_of_two_seats_is_409_full(api, world, db):
    path = f"/sessions/{world['session'].id}/bookings"
    for _ in range(2):
        neighbour = make_user(verified=True, unit=make_unit(make_building(world["community"])))
        assert api(neighbour).post(path).status_code == 201
    response = api(world["resident"]).post(path)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "full"
    assert count(db, Booking) == 2


def test_api_duplicate_booking_is_409(api, world, db):
    client = api(world["resident"])
    path = f"/sessions/{world['session'].id}/bookings"
    assert client.post(path).status_code == 201
    response = client.post(path)
    assert response.status_code == 409 and response.json["error"]["code"] == "already_booked"
    assert count(db, Booking) == 1


def test_api_staff_mark_attendance_and_resident_sees_my_bookings(api, world):
    booking = api(world["resident"]).post(f"/sessions/{world['session'].id}/bookings").json
    marked = api(world["staff"]).put(f"/bookings/{booking['id']}/attendance",
                                     json={"attended": True})
    assert marked.status_code == 200 and marked.json["attended"] is True
    mine = api(world["resident"]).get("/me/bookings").json
    assert [item["id"] for item in mine["items"]] == [booking["id"]]
    assert mine["items"][0]["service"]["title"] == world["service"].title


@pytest.mark.parametrize("query, status", [("?upcoming=false", 200), ("?upcoming=true", 200),
                                           ("?upcoming=maybe", 400)])
def test_api_my_bookings_takes_upcoming_as_a_query_string(api, world, query, status):
    assert api(world["resident"]).get(f"/me/bookings{query}").status_code == status


@pytest.mark.parametrize("body", [
    {**SERVICE, "title": ""},
    {**SERVICE, "title": "x" * 101},
    {**SERVICE, "category": "astrology"},
    {**SERVICE, "audience": "aliens"},
    {**SERVICE, "community_id": "1"},
    {k: v for k, v in SERVICE.items() if k != "provider"},
    {**SERVICE, "description": ["nested"]},
])
def test_api_services_post_bad_input_is_400_and_changes_nothing(api, world, db, body):
    response = api(world["staff"]).post("/services", json=body)
    assert response.status_code == 400 and "error" in response.json
    assert count(db, Service) == 1


@pytest.mark.parametrize("body", [
    {"title": ""}, {"title": "x" * 101}, {"provider": None}, {"category": "astrology"},
    {"audience": "aliens"}, {"description": ["nested"]}, {"active": "no"},
    {"community_id": 2}, {"title": "Tea", "surprise": 1},
])
def test_api_service_patch_bad_input_is_400_and_changes_nothing(api, world, db, body):
    service = world["service"]
    before = (service.title, service.provider, service.category, service.active)
    response = api(world["staff"]).patch(f"/services/{service.id}", json=body)
    assert response.status_code == 400 and "error" in response.json, response.json
    db.session.expire_all()
    assert (service.title, service.provider, service.category, service.active) == before


@pytest.mark.parametrize("change", [
    {"capacity": 0}, {"capacity": -1}, {"capacity": "2"}, {"capacity": 501},
    {"duration_min": 0}, {"starts_at": "yesterday"}, {"starts_at": "2020-01-01T10:00:00+08:00"},
    {"place": ""}, {"place": "p" * 101}, {"capacity": None},
])
def test_api_sessions_post_bad_input_is_400_and_changes_nothing(api, world, db, change):
    response = api(world["staff"]).post(f"/services/{world['service'].id}/sessions",
                                        json={**session_body(), **change})
    assert response.status_code == 400, response.json
    assert count(db, ServiceSession) == 1


@pytest.mark.parametrize("method, path", [
    ("POST", "/sessions/999999/bookings"), ("POST", "/sessions/99999999999999999999999/bookings"),
    ("DELETE", "/bookings/999999"), ("POST", "/services/999999/sessions"),
    ("PUT", "/bookings/999999/attendance"), ("PATCH", "/services/999999"),
])
def test_api_unknown_ids_are_404(api, world, method, path):
    body = {"PUT": {"attended": True}, "PATCH": {"title": "Tea"}}.get(method, session_body())
    assert api(world["staff"]).call(method, path, json=body).status_code == 404


def test_api_attendance_bad_input_is_400(api, world, db):
    booking = api(world["resident"]).post(f"/sessions/{world['session'].id}/bookings").json
    response = api(world["staff"]).put(f"/bookings/{booking['id']}/attendance",
                                       json={"attended": "yes"})
    assert response.status_code == 400
    assert db.session.get(Booking, booking["id"]).attended is None


def test_api_non_json_body_is_400(api, world, db):
    response = api(world["staff"]).post("/services", data=b"{not json",
                                        content_type="application/json")
    assert response.status_code == 400
    assert count(db, Service) == 1
