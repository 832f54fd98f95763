"""Live updates in the browser: the connection indicator, and pages that change by themselves."""
from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in

LIVE_TIMEOUT = 20_000  # a stopped server is noticed at the next ping or reconnect attempt


def test_indicator_shows_offline_when_the_server_stops_and_recovers(server, community,
                                                                    new_context):
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
