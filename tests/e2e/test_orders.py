"""At phone size: a resident posts a need; a skilled neighbour sees it in suggestions,
accepts, starts and completes it; the requester confirms; the helper's ledger shows it."""
from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in


def verified_resident(server, live_api, community, username, number, display_name):
    """Register a resident and have staff verify them into a new unit of building B."""
    user = live_api().post("/auth/register", {"username": username, "password": "pw-" + username * 2,
                                              "display_name": display_name})
    staff = community["staff"]
    unit = staff.post(f"/buildings/{community['building']['id']}/units",
                      {"number": number, "floor_area_m2": "60.00"})
    staff.post(f"/users/{user['id']}/verify", {"unit_id": unit["id"], "relation": "owner"})
    return live_api(username, "pw-" + username * 2)


def test_post_accept_complete_confirm_and_credit_at_phone_size(server, community, live_api,
                                                              new_context):
    verified_resident(server, live_api, community, "chen", "101", "陈伯")
    helper_api = verified_resident(server, live_api, community, "master_he", "601", "何师傅")
    helper_api.call("PUT", "/me/skills", {"tags": ["repair"], "radius_m": 1000})

    requester = new_context().new_page()
    sign_in(requester, server.url, "chen", "pw-chenchen")
    requester.goto(server.url + "/orders/new")
    requester.fill("#f-title", "厨房水管漏水")
    requester.locator("label.chip", has=requester.locator("input[value='repair.plumbing']")).click()
    requester.locator("#new-order button[type=submit]").click()
    expect(requester.get_by_test_id("order-status")).to_have_text("待接单")
    order_url = requester.url
    order_id = requester.locator("#order").get_attribute("data-order-id")

    helper = new_context().new_page()
    sign_in(helper, server.url, "master_he", "pw-master_hemaster_he")
    suggestion = helper.get_by_test_id("suggestions").locator(f"[data-order-id='{order_id}']")
    expect(suggestion).to_contain_text("厨房水管漏水")
    suggestion.get_by_role("link").click()
    expect(helper.get_by_test_id("contact")).to_have_count(0)
    # After each action the page reloads to show the new state and its buttons; the live
    # update may show the status first, so wait for the reload before the next action.
    with helper.expect_navigation():
        helper.click("[data-action=accept]")
    expect(helper.get_by_test_id("order-status")).to_have_text("已接单")
    expect(helper.get_by_test_id("contact")).to_contain_text("101")
    with helper.expect_navigation():
        helper.click("[data-action=start]")
    expect(helper.get_by_test_id("order-status")).to_have_text("进行中")
    helper.fill("#f-minutes", "45")
    with helper.expect_navigation():
        helper.click("[data-action=complete]")
    expect(helper.get_by_test_id("order-status")).to_have_text("已完成")
    expect(helper.locator("[data-action]")).to_have_count(0)

    requester.goto(order_url)
    requester.locator("label.chip", has=requester.locator("input[name=rating][value='5']")).click()
    requester.fill("#f-comment", "谢谢何师傅")
    requester.click("[data-action=confirm]")
    expect(requester.get_by_test_id("order-status")).to_have_text("已确认")
    expect(requester.locator("#order-timeline li")).to_have_count(5)

    helper.goto(server.url + "/me")
    expect(helper.get_by_test_id("credits-balance")).to_contain_text("45")
    assert helper.evaluate("document.documentElement.scrollWidth") <= 390
