"""At phone size: register, staff verify, the resident sees it; PWA install and offline."""
from playwright.sync_api import expect


def sign_in(page, url, username, password):
    """Sign in through the page form, waiting for its answer: a ``goto`` straight after the
    click would cancel the form's request and leave the page signed out."""
    page.goto(url + "/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login" not in page.url, f"{username} was not signed in: {page.inner_text('main')}"


def test_register_then_staff_verifies_and_resident_sees_verified(server, community, new_context):
    resident = new_context().new_page()
    resident.goto(server.url + "/register")
    resident.fill("#f-username", "liang")
    resident.fill("#f-display_name", "梁姨")
    resident.fill("#f-password", "liang-password")
    resident.click("button[type=submit]")
    expect(resident.get_by_test_id("verification")).to_contain_text("尚未认证")

    staff = new_context().new_page()
    sign_in(staff, server.url, "staff", "staff-password")
    staff.goto(server.url + "/staff/verify")
    card = staff.locator("article[data-user=liang]")
    card.locator("select[name=unit_id]").select_option(label="B-302")
    card.get_by_role("button", name="认证").click()
    expect(staff.locator("article[data-user=liang]")).to_have_count(0)

    resident.reload()
    expect(resident.get_by_test_id("verification")).to_contain_text("已认证")


def test_register_with_bad_input_shows_field_errors(server, new_context):
    page = new_context().new_page()
    page.goto(server.url + "/register")
    page.fill("#f-username", "x")
    page.fill("#f-display_name", "X")
    page.fill("#f-password", "short")
    page.click("button[type=submit]")
    expect(page.locator("#f-username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-password")).not_to_be_empty()


def test_manifest_and_service_worker_register_and_offline_page_shows(server, new_context):
    page = new_context().new_page()
    page.goto(server.url + "/")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.active && r.scope)")
    assert scope == server.url + "/"
    page.reload()  # now controlled by the worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    server.stop()
    page.goto(server.url + "/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("您已离线")
