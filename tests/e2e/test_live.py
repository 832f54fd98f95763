"""Live updates in the browser: the connection indicator, and pages that change by themselves."""
import re

from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in
from tests.realtime.scene import neighbourhood, post_order

LIVE_TIMEOUT = 20_000  # a stopped server is noticed at the next ping or reconnect attempt


def test_indicator_shows_offline_when_the_server_stops_and_recovers(server, community,
                                                                    new_context):
    """The server stops and comes back on the same port and database."""
    page = new_context().new_page()
    sign_in(page, server.url, "staff", "staff-password")
    page.goto(server.url + "/")
    indicator = page.locator("[data-live-indicator]")
    expect(indicator).to_have_attribute("role", "status")
    expect(indicator).to_have_attribute("data-state", "online")
    page.evaluate("window.__samePage = true")

    server.stop()
    expect(indicator).to_have_attribute("data-state", "offline", timeout=LIVE_TIMEOUT)
    expect(indicator).to_contain_text("离线")

    server.start()
    expect(indicator).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT)
    expect(indicator).to_contain_text("实时")
    assert page.evaluate("window.__samePage") is True  # recovered without a reload


def test_order_page_updates_live_when_the_helper_accepts(server, new_context):
    scene = neighbourhood(server.url)
    requester_name = scene["people"]["requester"]["username"]
    helper_name = scene["people"]["helper"]["username"]
    order = post_order(scene["requester"], title="帮忙修水龙头")

    requester = new_context().new_page()
    sign_in(requester, server.url, requester_name, f"{requester_name}-password")
    requester.goto(f"{server.url}/orders/{order['id']}")
    expect(requester.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")
    requester.evaluate("window.__samePage = true")
    article = requester.locator("#order")
    expect(article).to_have_attribute("data-status", "open")

    helper = new_context().new_page()
    sign_in(helper, server.url, helper_name, f"{helper_name}-password")
    helper.goto(f"{server.url}/orders/{order['id']}")
    helper.click("[data-action=accept]")

    expect(article).to_have_attribute("data-status", "accepted", timeout=LIVE_TIMEOUT)
    expect(requester.get_by_test_id("order-helper")).to_have_text("helper")
    expect(requester.locator("#order-timeline li")).to_have_count(2)
    expect(requester.locator("[data-action=cancel]")).to_be_visible()
    assert requester.evaluate("window.__samePage") is True  # no reload happened


def test_home_live_board_shows_a_new_order_without_reload(server, new_context):
    scene = neighbourhood(server.url)
    helper_name = scene["people"]["helper"]["username"]
    helper = new_context().new_page()
    sign_in(helper, server.url, helper_name, f"{helper_name}-password")
    helper.goto(server.url + "/")
    expect(helper.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")
    helper.evaluate("window.__samePage = true")

    post_order(scene["requester"], title="买菜跑腿")

    expect(helper.locator("#home-live-board")).to_contain_text("买菜跑腿", timeout=LIVE_TIMEOUT)
    assert helper.evaluate("window.__samePage") is True


def test_vote_turnout_moves_live_when_staff_record_a_ballot(server, community, live_api,
                                                            new_context):
    from tests.e2e.test_votes import _elevator_vote

    vote, ownerless = _elevator_vote(community, live_api)
    owner = new_context().new_page()
    sign_in(owner, server.url, "liang", "liang-password")
    owner.goto(f"{server.url}/votes/{vote['id']}")
    expect(owner.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")
    owner.evaluate("window.__samePage = true")
    area = owner.locator("[data-turnout-participating-area]")
    expect(area).to_have_text("0.00 / 144.02")

    community["staff"].post(f"/votes/{vote['id']}/ballots", {
        "choice": "yes", "unit_id": ownerless["id"], "channel": "paper", "note": "纸质 #1"})
    expect(area).to_have_text("75.12 / 144.02", timeout=LIVE_TIMEOUT)

    community["staff"].post(f"/votes/{vote['id']}/close")
    expect(owner.locator("#vote-my-ballot form")).to_have_count(0, timeout=LIVE_TIMEOUT)
    assert owner.evaluate("window.__samePage") is True


def test_live_updates_fall_back_to_polling_when_websockets_are_blocked(server, new_context):
    scene = neighbourhood(server.url)
    helper_name = scene["people"]["helper"]["username"]
    helper = new_context().new_page()
    blocked = []
    helper.route_web_socket(re.compile(r".*/socket\.io/.*"),
                            lambda ws: (blocked.append(ws.url), ws.close()))
    sign_in(helper, server.url, helper_name, f"{helper_name}-password")
    helper.goto(server.url + "/")
    expect(helper.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")
    helper.evaluate("window.__samePage = true")

    post_order(scene["requester"], title="轮询也能收到")

    expect(helper.locator("#home-live-board")).to_contain_text("轮询也能收到",
                                                               timeout=LIVE_TIMEOUT)
    assert blocked, "the page never tried a websocket"
    assert helper.evaluate("window.__samePage") is True


def test_page_resyncs_by_polling_when_socket_io_is_unreachable(server, new_context):
    scene = neighbourhood(server.url)
    helper_name = scene["people"]["helper"]["username"]
    helper = new_context().new_page()
    sign_in(helper, server.url, helper_name, f"{helper_name}-password")
    helper.route(re.compile(r".*/socket\.io/.*"), lambda route: route.abort())
    helper.route_web_socket(re.compile(r".*/socket\.io/.*"), lambda ws: ws.close())
    helper.goto(server.url + "/")
    helper.evaluate("document.body.dataset.livePoll = '1'")  # resync every second, not 30
    expect(helper.locator("[data-live-indicator]")).to_have_attribute("data-state", "offline")
    helper.evaluate("window.__samePage = true")

    post_order(scene["requester"], title="离线时轮询")

    expect(helper.locator("#home-live-board")).to_contain_text("离线时轮询", timeout=LIVE_TIMEOUT)
    assert helper.evaluate("window.__samePage") is True
