"""Catalogue pages: residents browse, book and see their bookings; staff pages stay with staff."""
import pytest

from mutualaid.catalogue import domain
from tests.catalogue.factories import make_service, make_session
from tests.factories import make_building, make_community, make_staff, make_unit, make_user
from tests.shell.test_pages import sign_in


@pytest.fixture
def scene(db):
    """A community with a 1-seat session already booked, its staff, and a second resident."""
    community = make_community()
    session = make_session(make_service(community, title="Legal advice", category="legal",
                                        audience="everyone"), capacity=1)
    building = make_building(community)
    booker = make_user(username="booker", verified=True, unit=make_unit(building))
    booking = domain.book_session(booker, session)
    other = make_user(username="other", verified=True, unit=make_unit(building))
    staff = make_staff(community, username="worker")
    db.session.commit()
    return {"session": session, "booking": booking, "booker": booker, "other": other,
            "staff": staff}


def test_browse_by_category_lists_only_that_category(client, scene):
    sign_in(client, "other")
    assert "Legal advice" in client.get("/services/?category=legal").text
    assert "Legal advice" not in client.get("/services/?category=health").text


def test_service_page_shows_full_session_and_my_booking(client, scene):
    service_id = scene["session"].service_id
    sign_in(client, "other")
    page = client.get(f"/services/{service_id}").text
    assert "已满" in page and f'data-api="/api/v1/sessions/{scene["session"].id}/bookings"' in page
    sign_in(client, "booker")
    page = client.get(f"/services/{service_id}").text
    assert f'data-api="/api/v1/bookings/{scene["booking"].id}"' in page
    mine = client.get("/services/mine").text
    assert "Legal advice" in mine


def test_staff_see_who_booked_with_attendance_forms(client, scene):
    sign_in(client, "worker")
    page = client.get(f"/services/sessions/{scene['session'].id}/bookings")
    assert page.status_code == 200
    assert "Booker" in page.text
    assert f'/api/v1/bookings/{scene["booking"].id}/attendance' in page.text
    assert "Legal advice" in client.get("/services/staff").text


@pytest.mark.parametrize("path", ["/services/staff", "/services/sessions/{id}/bookings",
                                  "/staff/kiosks"])
def test_staff_pages_are_for_staff(client, scene, path):
    sign_in(client, "other")
    assert client.get(path.format(id=scene["session"].id)).status_code == 403


def test_a_withdrawn_service_says_so_and_offers_no_booking(client, scene, db):
    session = scene["session"]
    session.service.active = False
    db.session.commit()
    sign_in(client, "other")
    page = client.get(f"/services/{session.service_id}").text
    assert "这项服务已停止提供。" in page
    assert f'data-api="/api/v1/sessions/{session.id}/bookings"' not in page
    assert "Legal advice" not in client.get("/services/").text
    sign_in(client, "worker")
    staff_page = client.get("/services/staff").text
    assert "Legal advice" in staff_page and "已撤下" in staff_page
