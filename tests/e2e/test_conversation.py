"""At phone size: the helper writes on an accepted order, the requester's open page shows it
live; the requester's inbox counts it and opens the order; the service worker shows a push
(dispatched through the DevTools protocol) and dedups a repeat by its id."""
import json
import re

from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in
from tests.e2e.test_orders import verified_resident


def test_conversation_live_and_inbox_at_phone_size(server, community, live_api, new_context):
    requester_api = verified_resident(server, live_api, community, "chen", "101", "陈伯")
    helper_api = verified_resident(server, live_api, community, "master_he", "601", "何师傅")
    order = requester_api.post("/orders", {"title": "厨房水管漏水", "tags": ["repair.plumbing"]})
    helper_api.post(f"/orders/{order['id']}/accept")

    requester = new_context().new_page()
    sign_in(requester, server.url, "chen", "pw-chenchen")
    requester.goto(f"{server.url}/orders/{order['id']}")
    expect(requester.get_by_test_id("conversation")).to_be_visible()
    expect(requester.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")

    helper = new_context().new_page()
    sign_in(helper, server.url, "master_he", "pw-master_hemaster_he")
    helper.goto(f"{server.url}/orders/{order['id']}")
    helper.fill("#f-message-body", "我下午三点到，可以吗？")
    with helper.expect_navigation():
        helper.click("[data-testid=send-message]")
    expect(helper.get_by_test_id("messages")).to_contain_text("我下午三点到")

    # live: the requester's page shows it without a reload
    expect(requester.get_by_test_id("messages")).to_contain_text("我下午三点到")

    requester.goto(server.url + "/")
    expect(requester.get_by_test_id("nav-count")).to_be_visible()
    requester.click("a[href='/notifications']")
    inbox = requester.get_by_test_id("inbox")
    expect(inbox).to_contain_text("新消息")
    expect(inbox).to_contain_text("您的求助有人接单了")
    inbox.locator("[data-kind='order.message'] a").click()
    expect(requester).to_have_url(f"{server.url}/orders/{order['id']}#conversation")
    expect(requester.get_by_test_id("messages")).to_contain_text("我下午三点到")


def test_the_service_worker_shows_a_push_once_by_its_id(server, community, new_context):
    context = new_context()
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.new_page()
    page.goto(server.url + "/login")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    registration = next(r for r in registrations if r["scopeURL"].startswith(server.url))
    payload = json.dumps({"id": 41, "kind": "order.accepted", "title": "您的求助有人接单了",
                          "body": "何师傅将帮您处理", "url": "/orders/7"})
    for _ in range(2):  # delivered twice (at least once): shown once
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": server.url, "registrationId": registration["registrationId"],
            "data": payload})
    page.wait_for_timeout(500)
    shown = page.evaluate("""navigator.serviceWorker.ready
        .then((r) => r.getNotifications())
        .then((list) => list.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                                          url: n.data.url})))""")
    assert shown == [{"title": "您的求助有人接单了", "body": "何师傅将帮您处理",
                      "tag": "notification-41", "url": "/orders/7"}]


def test_the_top_bar_counts_stay_live_on_any_page(server, community, live_api, new_context):
    """On "me" (not a live page, not the inbox): a message and its notice move the counts
    as they happen; what changed unheard (read elsewhere) shows after a reconnect."""
    requester_api = verified_resident(server, live_api, community, "chen", "101", "陈伯")
    helper_api = verified_resident(server, live_api, community, "master_he", "601", "何师傅")
    order = requester_api.post("/orders", {"title": "厨房水管漏水", "tags": ["repair.plumbing"]})
    helper_api.post(f"/orders/{order['id']}/accept")

    page = new_context().new_page()
    sign_in(page, server.url, "chen", "pw-chenchen")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me")):  # connected
        page.goto(server.url + "/me")
    notices, messages = page.get_by_test_id("nav-count"), page.get_by_test_id("nav-messages")
    expect(notices).to_contain_text("1")  # accepted
    expect(messages).to_be_hidden()
    expect(page.locator("[data-unread-counts]")).to_have_attribute("aria-live", "polite")

    said = helper_api.post(f"/orders/{order['id']}/messages", {"body": "我下午三点到"})
    expect(messages).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("消息 2 条未读通知 1 条未读留言"))) \
        .to_be_visible()

    # Read on another device: nothing is announced, so this page only learns it on reconnect.
    requester_api.post(f"/orders/{order['id']}/messages/read", {"up_to": said["id"]})
    requester_api.post("/me/notifications/read", {"all": True})
    page.evaluate("window.__samePage = true")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me"), timeout=30_000):
        server.stop()
        server.start()
    expect(notices).to_be_hidden()
    expect(messages).to_be_hidden()
    assert page.evaluate("window.__samePage") is True  # no reload
