"""At phone size, the joins people hit: a newcomer told what comes next and verified as owner
votes at once; a requester reaches the helper; a resident keeps their own account."""
import re

from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in
from tests.e2e.test_orders import verified_resident


def _register(page, url, username, display_name, password):
    """Register through the page form, waiting for its answer (as ``sign_in``)."""
    page.goto(url + "/register")
    page.fill("#f-username", username)
    page.fill("#f-display_name", display_name)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_newcomer_verified_as_owner_votes_at_once(server, community, live_api, new_context):
    staff_api = community["staff"]
    ownerless = staff_api.post(f"/buildings/{community['building']['id']}/units",
                               {"number": "601", "floor_area_m2": "75.12"})
    vote = staff_api.post("/votes", {"title": "B栋更换电梯", "rule": "major",
                                     "description": "更换为无障碍电梯。",
                                     "building_id": community["building"]["id"]})
    resident = new_context().new_page()
    _register(resident, server.url, "liang", "梁姨", "liang-password")
    steps = resident.get_by_test_id("next-steps")
    expect(steps).to_contain_text("共享小屋")
    expect(steps).to_contain_text("liang")

    staff = new_context().new_page()
    sign_in(staff, server.url, "staff", "staff-password")
    staff.goto(server.url + "/staff/")
    expect(staff.locator("[data-count='accounts.verification_queue'] strong")).to_have_text("1")
    staff.goto(server.url + "/staff/verify")
    card = staff.locator("article[data-user=liang]")
    card.locator("select[name=unit_id]").select_option(label="B-302")
    card.get_by_role("radio", name="业主").check()
    card.get_by_role("button", name="认证").click()
    expect(staff.locator("[data-flash]")).to_have_text("梁姨 已认证。")
    expect(staff.locator("article[data-user=liang]")).to_have_count(0)

    resident.goto(f"{server.url}/votes/{vote['id']}")
    resident.get_by_role("radio", name="同意").check()
    resident.get_by_role("button", name="投票").click()
    expect(resident.get_by_test_id("receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-"))

    staff.goto(f"{server.url}/votes/{vote['id']}/record")
    staff.get_by_label("房屋").select_option(value=str(ownerless["id"]))
    staff.get_by_role("radio", name="纸质").check()
    staff.get_by_role("radio", name="同意").check()
    staff.get_by_role("button", name="录入选票").click()
    expect(staff.locator("[data-flash]")).to_have_text("选票已录入。")

    staff.goto(f"{server.url}/votes/{vote['id']}")
    staff.once("dialog", lambda dialog: dialog.dismiss())
    staff.get_by_role("button", name="立即结束表决").click()
    expect(staff.locator("#vote-status")).to_contain_text("进行中")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="立即结束表决").click()
    expect(staff.locator("[data-flash]")).to_have_text("表决已结束。")
    expect(resident.locator("#vote-status")).to_contain_text("已结束")  # live, no reload


def test_requester_sees_the_helper_name_and_phone(server, community, live_api, new_context):
    requester_api = verified_resident(server, live_api, community, "chen", "101", "陈伯")
    helper_api = verified_resident(server, live_api, community, "master_he", "601", "何师傅")
    helper_api.call("PATCH", "/me", {"phone": "13900000009"})
    order = requester_api.post("/orders", {"title": "厨房水管漏水", "tags": ["repair.plumbing"]})
    helper_api.post(f"/orders/{order['id']}/accept")

    requester = new_context().new_page()
    sign_in(requester, server.url, "chen", "pw-chenchen")
    requester.goto(f"{server.url}/orders/{order['id']}")
    card = requester.get_by_test_id("helper-contact")
    expect(card).to_contain_text("何师傅")
    expect(card.get_by_role("link", name="13900000009")).to_have_attribute(
        "href", "tel:13900000009")
    expect(requester.get_by_test_id("contact")).to_have_count(0)


def test_resident_edits_details_resets_password_and_closes_account(server, community, live_api,
                                                                   new_context):
    verified_resident(server, live_api, community, "chen", "101", "陈伯")
    page = new_context().new_page()
    sign_in(page, server.url, "chen", "pw-chenchen")
    page.goto(server.url + "/me")
    page.fill("#f-profile-display_name", "陈伯伯")
    page.fill("#f-profile-phone", "13800000007")
    page.get_by_role("checkbox", name="向我帮助的邻居显示我的电话").uncheck()
    page.get_by_role("button", name="保存我的资料").click()
    expect(page.locator("[data-flash]")).to_have_text("您的资料已保存。")
    expect(page.get_by_role("heading", level=1)).to_have_text("陈伯伯")

    page.fill("#f-pw-current_password", "wrong password")
    page.fill("#f-pw-new_password", "a new long password")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("#e-pw-current_password")).to_have_text("当前密码错误。")

    staff = new_context().new_page()
    sign_in(staff, server.url, "staff", "staff-password")
    staff.goto(f"{server.url}/staff/buildings/{community['building']['id']}")
    resident = staff.locator("[data-resident=chen]")
    resident.get_by_role("button", name="密码重置码").click()
    code = resident.locator("[data-result=code]")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))

    forgetful = new_context().new_page()
    forgetful.goto(server.url + "/login")
    forgetful.get_by_role("link", name="使用共享小屋给的重置码").click()
    # the link's page fully loaded (its script sends the form): a click before that would
    # submit the bare HTML form instead
    forgetful.wait_for_url("**/reset")
    forgetful.wait_for_load_state("load")
    forgetful.fill("#f-username", "chen")
    forgetful.fill("#f-code", code.inner_text().lower())
    forgetful.fill("#f-new_password", "reset long password")
    forgetful.get_by_role("button", name="设置新密码").click()
    expect(forgetful.locator("[data-flash]")).to_have_text("密码已修改。请用新密码登录。")
    sign_in(forgetful, server.url, "chen", "reset long password")
    forgetful.goto(server.url + "/me")
    forgetful.get_by_text("注销我的账户").first.click()
    forgetful.fill("#f-close-password", "reset long password")
    forgetful.once("dialog", lambda dialog: dialog.accept())
    forgetful.get_by_role("button", name="注销我的账户").click()
    expect(forgetful).to_have_url(server.url + "/")
    forgetful.goto(server.url + "/login")  # a closed account signs in no more
    forgetful.fill("#f-username", "chen")
    forgetful.fill("#f-password", "reset long password")
    forgetful.click("button[type=submit]")
    expect(forgetful.locator("[data-form-error]")).to_be_visible()


def test_the_order_page_still_shows_offline_after_a_visit(server, community, live_api,
                                                         new_context):
    requester_api = verified_resident(server, live_api, community, "chen", "101", "陈伯")
    helper_api = verified_resident(server, live_api, community, "master_he", "601", "何师傅")
    order = requester_api.post("/orders", {"title": "厨房水管漏水", "tags": ["repair.plumbing"]})
    helper_api.post(f"/orders/{order['id']}/accept")
    context = new_context()
    page = context.new_page()
    sign_in(page, server.url, "chen", "pw-chenchen")
    order_url = f"{server.url}/orders/{order['id']}"
    page.goto(order_url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(order_url)  # now through the worker, which keeps a copy
    page.wait_for_function(
        "caches.open('sharehut-pages').then((c) => c.keys()).then((k) => k.length > 0)")
    context.set_offline(True)
    page.goto(order_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("厨房水管漏水")
    expect(page.get_by_test_id("helper-contact")).to_contain_text("何师傅")
    page.goto(f"{server.url}/orders/999")
    expect(page.get_by_role("heading", level=1)).to_have_text("您已离线")


def test_a_long_form_error_scrolls_into_view_and_takes_focus_in_chinese(server, community,
                                                                       live_api, new_context):
    verified_resident(server, live_api, community, "chen", "101", "陈伯")
    page = new_context().new_page()
    sign_in(page, server.url, "chen", "pw-chenchen")
    page.goto(server.url + "/me")
    page.fill("#f-pw-current_password", "pw-chenchen")
    page.fill("#f-pw-new_password", "short")
    page.evaluate("document.querySelector('#f-pw-new_password').removeAttribute('minlength')")
    page.get_by_role("button", name="修改密码").click()
    error = page.locator("#e-pw-new_password")
    expect(error).to_contain_text("长度")
    expect(page.locator("#f-pw-new_password")).to_be_focused()
    expect(page.locator("#f-pw-new_password")).to_be_in_viewport()
    page.goto(server.url + "/orders/new")
    page.fill("#f-title", "x" * 5)
    page.locator("#new-order button[type=submit]").click()
    tags_error = page.locator("[data-error-for=tags]")
    expect(tags_error).not_to_be_empty()
    assert not re.search(r"[A-Za-z]{4,}", tags_error.inner_text())  # in Chinese
    assert page.evaluate("""() => document.activeElement.closest('.field, fieldset')
                            .contains(document.querySelector('[data-error-for=tags]'))""")


def test_suggestions_update_live_and_helping_is_listed_apart(server, community, live_api,
                                                            new_context):
    requester_api = verified_resident(server, live_api, community, "chen", "101", "陈伯")
    helper_api = verified_resident(server, live_api, community, "master_he", "601", "何师傅")
    helper_api.call("PUT", "/me/skills", {"tags": ["repair"], "radius_m": 1000})
    helper = new_context().new_page()
    sign_in(helper, server.url, "master_he", "pw-master_hemaster_he")
    helper.goto(server.url + "/")
    expect(helper.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")
    order = requester_api.post("/orders", {"title": "厨房水管漏水", "tags": ["repair.plumbing"]})
    suggestion = helper.get_by_test_id("suggestions").locator(f"[data-order-id='{order['id']}']")
    expect(suggestion).to_contain_text("厨房水管漏水", timeout=15_000)  # no reload
    helper_api.post(f"/orders/{order['id']}/accept")
    expect(helper.get_by_test_id("helping")).to_contain_text("厨房水管漏水", timeout=15_000)
    expect(helper.locator("#home-mine-orders")).not_to_contain_text("厨房水管漏水")
    expect(suggestion).to_have_count(0)


def test_a_tap_before_the_page_s_scripts_ran_is_sent_once_they_do(server, community, live_api,
                                                                   new_context):
    verified_resident(server, live_api, community, "chen", "101", "陈伯")
    vote = community["staff"].post("/votes", {"title": "B栋更换电梯", "rule": "major",
                                              "description": "更换为无障碍电梯。",
                                              "building_id": community["building"]["id"]})
    page = new_context(service_workers="block").new_page()  # else its cache serves forms.js
    sign_in(page, server.url, "chen", "pw-chenchen")
    held = []  # a slow phone: forms.js arrives only when the test lets it
    page.route("**/static/js/forms.js*", lambda route: held.append(route))
    page.goto(f"{server.url}/votes/{vote['id']}", wait_until="commit")
    page.get_by_role("radio", name="同意").check()
    page.get_by_role("button", name="投票").click()
    expect(page.get_by_test_id("receipt")).to_have_count(0)
    assert "?" not in page.url, "the bare form went out"
    expect(page.get_by_role("button", name="投票")).to_have_attribute("aria-busy", "true")

    page.wait_for_function("() => window.shareHutHeldForm")
    held[0].continue_()
    expect(page.get_by_test_id("receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-"))
