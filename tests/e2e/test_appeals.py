"""At phone size: a resident reports a problem with a photo; a neighbour follows it; staff
accept, start and resolve it; the resident rates it and it closes."""
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in
from tests.e2e.test_kiosk import enter_pin, kiosk, open_kiosk  # noqa: F401 (fixture)
from tests.e2e.test_orders import verified_resident


def test_file_with_a_photo_follow_and_rate_at_phone_size(server, community, live_api,
                                                        new_context, tmp_path):
    verified_resident(server, live_api, community, "chen", "101", "陈伯")
    verified_resident(server, live_api, community, "liang", "201", "梁姨")
    photo = tmp_path / "gate.jpg"
    Image.new("RGB", (1200, 900), (120, 90, 60)).save(photo, "JPEG")

    resident = new_context().new_page()
    sign_in(resident, server.url, "chen", "pw-chenchen")
    resident.goto(server.url + "/appeals/new")
    resident.locator("label.chip", has=resident.locator("input[value='facilities']")).click()
    resident.fill("#f-title", "单元门禁坏了")
    resident.fill("#f-description", "刷卡没反应，陌生人随便进")
    resident.set_input_files("#f-photos", str(photo))
    with resident.expect_navigation(url="**/appeals/*"):
        resident.locator("#new-appeal button[type=submit]").click()
    expect(resident.get_by_test_id("appeal-status")).to_have_text("已提交")
    expect(resident.get_by_test_id("appeal-photo")).to_have_count(1)
    appeal_url = resident.url
    appeal_id = resident.locator("#appeal").get_attribute("data-appeal-id")

    neighbour = new_context().new_page()
    sign_in(neighbour, server.url, "liang", "pw-liangliang")
    neighbour.goto(appeal_url)
    expect(neighbour.get_by_test_id("appeal-photo")).to_have_count(0)
    with neighbour.expect_navigation():
        neighbour.click("[data-action=follow]")
    expect(neighbour.locator("[data-action=follow]")).to_have_text("取消关注")

    staff = community["staff"]
    for step, body in (("accept", None), ("start", None), ("resolve", {"reply": "已换新读卡器"})):
        staff.post(f"/appeals/{appeal_id}/{step}", body)

    resident.goto(appeal_url)
    expect(resident.get_by_test_id("appeal-reply")).to_have_text("已换新读卡器")
    resident.locator("label.chip", has=resident.locator("input[value='satisfied']")).click()
    with resident.expect_navigation():
        resident.click("[data-action=rate]")
    expect(resident.get_by_test_id("appeal-rating")).to_have_text("满意")
    expect(resident.locator("[data-action=rate]")).to_have_count(0)


def test_report_a_problem_at_the_kiosk(new_context, kiosk, community):
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="反映问题").click()
    page.get_by_role("button", name="停车管理").click()
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "2468")
    expect(page.locator("[data-done-text]")).to_contain_text("您的诉求已交给责任人办理")
    appeals = community["staff"].get("/appeals")["items"]
    assert [(a["category"], a["title"], a["building_id"]) for a in appeals] == [
        ("parking", "停车管理", community["building"]["id"])]
    assert appeals[0]["appellant"]["display_name"] == "Liang"
    page.get_by_role("button", name="完成").click()
    expect(page.get_by_role("button", name="反映问题")).to_be_visible()
