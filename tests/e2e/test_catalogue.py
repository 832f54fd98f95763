"""At phone size: browse the catalogue by category and book; a full session says so."""
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in


def resident(live_api, staff, unit, username):
    """Register ``username`` and have staff verify them into ``unit``; returns their Api."""
    user = live_api().post("/auth/register", {"username": username, "password": password(username),
                                              "display_name": username.title()})
    staff.post(f"/users/{user['id']}/verify", {"unit_id": unit["id"], "relation": "family"})
    return live_api(username, password(username))


def password(username):
    return f"{username}-password"


def two_seat_session(staff):
    """A smartphone class with one 2-seat session tomorrow."""
    service = staff.post("/services", {"title": "智能手机课", "provider": "大学生志愿者",
                                       "category": "digital", "audience": "elderly"})
    starts = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    session = staff.post(f"/services/{service['id']}/sessions",
                         {"starts_at": starts, "duration_min": 60, "capacity": 2, "place": "活动室"})
    return service, session


def test_browse_by_category_and_book_a_seat(server, community, live_api, new_context):
    service, session = two_seat_session(community["staff"])
    resident(live_api, community["staff"], community["unit"], "liang")
    page = new_context().new_page()
    sign_in(page, server.url, "liang", password("liang"))
    page.goto(server.url + "/services/")
    page.get_by_role("link", name="数字技能").click()
    page.get_by_role("link", name="智能手机课").click()
    card = page.locator(f"[data-session='{session['id']}']")
    expect(card).to_contain_text("剩 2")
    with page.expect_navigation():  # the page reloads once the booking is saved
        card.get_by_role("button", name="预约").click()
    expect(page.locator(f"[data-session='{session['id']}']")).to_contain_text("您已预约")
    page.goto(server.url + "/services/mine")
    expect(page.locator("[data-booking]")).to_contain_text("智能手机课")


def test_third_booking_of_two_seat_session_is_refused_with_a_message(
        server, community, live_api, new_context):
    service, session = two_seat_session(community["staff"])
    path = f"/sessions/{session['id']}/bookings"
    resident(live_api, community["staff"], community["unit"], "chen").post(path)
    resident(live_api, community["staff"], community["unit"], "mai")
    page = new_context().new_page()
    sign_in(page, server.url, "mai", password("mai"))
    page.goto(f"{server.url}/services/{service['id']}")
    card = page.locator(f"[data-session='{session['id']}']")
    expect(card).to_contain_text("剩 1")
    resident(live_api, community["staff"], community["unit"], "heng").post(path)  # the last seat
    card.get_by_role("button", name="预约").click()
    expect(card.locator("[data-form-error]")).to_have_text("抱歉，该场次已满。")
    expect(card).not_to_contain_text("您已预约")
    page.reload()
    expect(page.locator(f"[data-session='{session['id']}']")).to_contain_text("已满")


def test_staff_edit_and_withdraw_a_service_then_offer_it_again(
        server, community, live_api, new_context):
    service, _session = two_seat_session(community["staff"])
    liang = resident(live_api, community["staff"], community["unit"], "liang")
    page = new_context().new_page()
    sign_in(page, server.url, "staff", "staff-password")
    page.goto(server.url + "/services/staff")
    card = page.locator(f"[data-service='{service['id']}']")
    card.get_by_text("修改服务").click()
    card.get_by_label("标题").fill("长者智能手机课")
    with page.expect_navigation():  # the page reloads once the change is saved
        card.get_by_role("button", name="保存修改").click()
    expect(card.get_by_role("heading")).to_contain_text("长者智能手机课")
    assert [s["title"] for s in liang.get("/services")["items"]] == ["长者智能手机课"]

    with page.expect_navigation():
        card.get_by_role("button", name="撤下服务").click()
    expect(card.get_by_role("heading")).to_contain_text("已撤下")
    assert liang.get("/services")["items"] == []
    with page.expect_navigation():
        card.get_by_role("button", name="重新上架").click()
    expect(card.get_by_role("heading")).not_to_contain_text("已撤下")
    assert liang.get("/services")["total"] == 1
