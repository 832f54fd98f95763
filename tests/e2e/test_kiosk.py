"""The share-hut kiosk at tablet size (1024×768): live board, "I need help" with a PIN,
idle reset, an assisted ballot."""
import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET
from tests.e2e.test_catalogue import resident


@pytest.fixture
def kiosk(community, live_api):
    """The kiosk of building B, and Auntie Liang (verified, PIN 2468) living there."""
    issued = community["staff"].post("/kiosks", {"name": "B栋共享小屋",
                                                 "building_id": community["building"]["id"]})
    liang = resident(live_api, community["staff"], community["unit"], "liang")
    liang.call("PUT", "/me/pin", {"pin": "2468"})
    return {"url": issued["url"], "liang": liang}


def open_kiosk(new_context, kiosk):
    page = new_context(viewport=TABLET).new_page()
    page.goto(kiosk["url"])
    expect(page.get_by_role("button", name="我需要帮助")).to_be_visible()
    return page


def enter_pin(page, pin):
    for digit in pin:
        page.click(f"[data-digit='{digit}']")
    page.get_by_role("button", name="确定").click()


def staff_sign_in(page, pin_first=False):
    """Staff type their name, then their password: a PIN never signs staff in."""
    page.fill("#k-username", "staff")
    page.get_by_role("button", name="下一步").click()
    if pin_first:
        enter_pin(page, "1357")
        expect(page.locator("[data-pin-error]")).to_have_text("用户名或 PIN 码错误。")
    page.get_by_role("button", name="工作人员：用密码登录").click()
    page.fill("#k-password", "staff-password")
    page.get_by_role("button", name="登录").click()


def test_board_updates_live_when_an_order_is_posted_from_a_phone(new_context, kiosk):
    page = open_kiosk(new_context, kiosk)
    expect(page.locator("#kiosk")).to_have_attribute("data-live", "socket")
    kiosk["liang"].post("/orders", {"title": "帮我换灯泡", "tags": ["repair.electrical"]})
    expect(page.locator("[data-board-orders]")).to_contain_text("帮我换灯泡", timeout=15_000)
    expect(page.locator("[data-board-orders]")).to_contain_text("等待帮手")


def test_i_need_help_with_pin_posts_the_need_and_resets(new_context, kiosk, community):
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="我需要帮助").click()
    page.get_by_role("button", name="水管维修").click()
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "1111")
    expect(page.locator("[data-pin-error]")).to_have_text("用户名或 PIN 码错误。")
    enter_pin(page, "2468")
    expect(page.locator("[data-done-title]")).to_have_text("谢谢！")
    expect(page.locator("[data-done-text]")).to_contain_text("您的需求已发布")
    expect(page.locator("[data-done-qr] img")).to_have_attribute("src", lambda_src())
    orders = community["staff"].get(f"/orders?building_id={community['building']['id']}")
    # stored as codes, shown in each reader's language (see mutualaid/orders/texts.py)
    assert [(o["title"], o["description"]) for o in orders["items"]] == [
        ("@tag:repair.plumbing", "@kiosk")]
    expect(page.locator("[data-board-orders]")).to_contain_text("水管维修")
    assert orders["items"][0]["requester"]["display_name"] == "Liang"
    page.get_by_role("button", name="完成").click()
    expect(page.get_by_role("button", name="我需要帮助")).to_be_visible()


def lambda_src():
    import re

    return re.compile(r"^/qr\.svg\?path=%2Forders%2F\d+$")


def test_idle_kiosk_resets_and_drops_the_sign_in(new_context, kiosk, community, server):
    staff_pin = community["staff"]
    staff_pin.call("PUT", "/me/pin", {"pin": "1357"})
    page = open_kiosk(new_context, kiosk)
    page.evaluate("document.getElementById('kiosk').dataset.idleSeconds = '2'")
    page.get_by_role("button", name="我需要帮助").click()
    page.get_by_role("button", name="维修", exact=True).click()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/kiosk/sign-in")
                              and r.status == 201) as signed:
        staff_sign_in(page)
    token = signed.value.json()["token"]
    expect(page.get_by_role("heading", name="工作人员：替谁发布？")).to_be_visible()
    expect(page.get_by_role("button", name="我需要帮助")).to_be_visible(timeout=6_000)
    expect(page.locator("[data-screen='for-whom']")).to_be_hidden()
    deadline = time.monotonic() + 10  # the reset revokes the sign-in by a request of its own
    while (status := requests.get(server.url + "/api/v1/me", timeout=10, headers={
            "Authorization": f"Bearer {token}"}).status_code) != 401 \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 401


def test_staff_record_an_assisted_ballot_for_a_unit(new_context, kiosk, community):
    staff = community["staff"]
    staff.call("PUT", "/me/pin", {"pin": "1357"})
    staff.post(f"/units/{community['unit']['id']}/owner", {"user_id": kiosk["liang"].get("/me")["id"]})
    vote = staff.post("/votes", {"title": "加装电梯", "description": "B栋加装电梯",
                                 "rule": "major", "building_id": community["building"]["id"]})
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="投票").click()
    page.get_by_role("button", name="加装电梯").click()
    page.locator("[data-identify]").click()
    staff_sign_in(page, pin_first=True)  # a staff PIN is refused: the password it is
    page.get_by_role("button", name=community["unit"]["number"]).click()
    page.locator("[data-choice=yes]").click()
    expect(page.locator("[data-readback-vote]")).to_contain_text(community["unit"]["number"])
    page.locator("[data-cast]").click()
    expect(page.locator("[data-done-text]")).to_contain_text(f"{community['unit']['number']} 户的选票已登记")
    result = staff.get(f"/votes/{vote['id']}/result")
    assert result["tally"]["yes"]["headcount"] == 1


def test_an_informed_ballot_shows_the_proposal_reads_the_choice_back_then_casts(
        new_context, kiosk, community):
    staff = community["staff"]
    liang_id = kiosk["liang"].get("/me")["id"]
    staff.post(f"/units/{community['unit']['id']}/owner", {"user_id": liang_id})
    vote = staff.post("/votes", {"title": "加装电梯", "rule": "major",
                                 "description": "在B栋北侧加装无障碍电梯。\n费用由维修资金支付。",
                                 "building_id": community["building"]["id"],
                                 "attachments": [{"title": "施工方案",
                                                  "url": "https://example.org/plan.pdf"}]})
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="投票").click()
    page.get_by_role("button", name="加装电梯").click()
    proposal = page.locator("[data-screen=vote-proposal]")
    expect(proposal.locator("[data-proposal-title]")).to_have_text("加装电梯")
    expect(proposal).to_contain_text("费用由维修资金支付。")
    expect(proposal.locator("[data-proposal-rule]")).to_have_text("重大事项（四分之三）")
    expect(proposal.locator("[data-proposal-rule-help]")).to_contain_text("四分之三以上同意")
    expect(proposal).to_contain_text("施工方案")
    page.locator("[data-identify]").click()  # the person identifies before choosing
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "2468")
    page.locator("[data-choice=no]").click()
    expect(page.locator("[data-readback]")).to_have_text("反对")
    page.locator("[data-rechoose]").click()
    page.locator("[data-choice=yes]").click()
    expect(page.locator("[data-readback]")).to_have_text("同意")
    page.locator("[data-cast]").click()
    receipt = page.locator("[data-receipt-code]")
    expect(receipt).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}"))
    status = staff.get(f"/votes/{vote['id']}/receipts/{receipt.inner_text()}")
    assert status["counted"] is True and status["choice"] == "yes"


def test_kiosk_screens_have_no_serious_accessibility_violations(browser, kiosk):
    from tests.e2e.test_accessibility import serious_violations

    context = browser.new_context(viewport=TABLET, locale="zh-CN", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(kiosk["url"])
        expect(page.get_by_role("button", name="我需要帮助")).to_be_visible()
        assert serious_violations(page) == []
        page.get_by_role("button", name="我需要帮助").click()
        page.get_by_role("button", name="水管维修").click()
        page.get_by_role("button", name="Liang").click()
        assert serious_violations(page) == []
    finally:
        context.close()


def test_book_a_service_at_the_kiosk(new_context, kiosk, community):
    from tests.e2e.test_catalogue import two_seat_session

    service, session = two_seat_session(community["staff"])
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="预约服务").click()
    page.locator(f"[data-session='{session['id']}']").click()
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "2468")
    expect(page.locator("[data-done-text]")).to_contain_text("预约成功：智能手机课")
    mine = kiosk["liang"].get("/me/bookings")
    assert [b["session"]["id"] for b in mine["items"]] == [session["id"]]


def test_staff_post_a_need_on_behalf_of_a_resident(new_context, kiosk, community):
    community["staff"].call("PUT", "/me/pin", {"pin": "1357"})
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="我需要帮助").click()
    page.get_by_role("button", name="陪同就医").click()
    staff_sign_in(page)
    page.locator("[data-for-whom]").get_by_role("button", name="Liang").click()
    expect(page.locator("[data-done-text]")).to_contain_text("您的需求已发布")
    orders = kiosk["liang"].get("/orders?mine=true")
    assert [o["title"] for o in orders["items"]] == ["@tag:escort.hospital"]  # shown 陪同就医
