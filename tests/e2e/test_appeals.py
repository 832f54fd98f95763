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


LIVE_TIMEOUT = 20_000  # the resident's page changes by push, not by reload


def open_from_the_desk(page, url, title):
    """Open the appeal ``title`` from the staff desk."""
    page.goto(url + "/appeals/staff")
    page.get_by_role("link", name=title).click()


def act(page, action):
    """Press an appeal step's button and wait for the page to reload with its result (a
    press before the page's scripts ran is held until they do: static/js/hold-taps.js)."""
    with page.expect_navigation():
        page.click(f"[data-action={action}]")


def street_with_a_grid(server, live_api, community):
    """祖庙街道 holding the community, with street staff 小王; building B in 一网格, whose
    grid worker is 小李, a resident. Returns the grid worker's API."""
    admin = live_api("admin", "admin-password")
    street = admin.post("/streets", {"name": "祖庙街道"})
    admin.post(f"/streets/{street['id']}/communities",
               {"community_id": community["community"]["id"]})
    officer = live_api().post("/auth/register", {"username": "wang", "password": "pw-wangwang",
                                                 "display_name": "街道小王"})
    admin.post(f"/streets/{street['id']}/staff", {"user_id": officer["id"]})
    worker = verified_resident(server, live_api, community, "xiaoli", "501", "网格员小李")
    community["staff"].post(f"/communities/{community['community']['id']}/grids", {
        "name": "一网格", "building_ids": [community["building"]["id"]],
        "worker_ids": [worker.get("/me")["id"]]})
    return worker


def test_staff_take_an_appeal_up_the_levels_at_phone_size(server, community, live_api,
                                                         new_context):
    chen = verified_resident(server, live_api, community, "chen", "101", "陈伯")
    street_with_a_grid(server, live_api, community)
    appeal = chen.post("/appeals", {"category": "facilities", "title": "楼道灯坏了",
                                    "description": "三楼到五楼晚上全黑",
                                    "building_id": community["building"]["id"]})
    appeal_url = f"{server.url}/appeals/{appeal['id']}"

    resident = new_context().new_page()  # stays open: every step reaches it live
    sign_in(resident, server.url, "chen", "pw-chenchen")
    resident.goto(appeal_url)
    expect(resident.locator("[data-live-indicator]")).to_have_attribute("data-state", "online")
    expect(resident.get_by_test_id("appeal-level")).to_have_text("网格")

    worker = new_context().new_page()
    sign_in(worker, server.url, "xiaoli", "pw-xiaolixiaoli")
    open_from_the_desk(worker, server.url, "楼道灯坏了")
    act(worker, "accept")
    expect(worker.get_by_test_id("appeal-status")).to_have_text("已受理")
    expect(resident.get_by_test_id("appeal-status")).to_have_text("已受理", timeout=LIVE_TIMEOUT)
    worker.get_by_text("上报上一级", exact=True).click()
    worker.fill("#f-escalate-reason", "要换整条线路，网格办不了")
    act(worker, "escalate")
    expect(worker.get_by_test_id("appeal-level")).to_have_text("社区")
    expect(worker.locator("[data-action=start]")).to_have_count(0)  # no longer at their level
    expect(resident.get_by_test_id("appeal-level")).to_have_text("社区", timeout=LIVE_TIMEOUT)

    staff = new_context().new_page()
    sign_in(staff, server.url, "staff", "staff-password")
    open_from_the_desk(staff, server.url, "楼道灯坏了")
    act(staff, "start")
    staff.fill("#f-resolve-reply", "已更换线路和灯具")
    act(staff, "resolve")
    expect(staff.get_by_test_id("appeal-status")).to_have_text("已办结")
    expect(resident.get_by_test_id("appeal-reply")).to_have_text("已更换线路和灯具",
                                                                  timeout=LIVE_TIMEOUT)

    resident.locator("label.chip", has=resident.locator("input[value='unsatisfied']")).click()
    act(resident, "rate")
    expect(resident.get_by_test_id("appeal-status")).to_have_text("已重新办理")
    expect(resident.get_by_test_id("appeal-level")).to_have_text("街道")
    expect(resident.locator("#appeal-timeline")).to_contain_text("要换整条线路，网格办不了")

    officer = new_context().new_page()
    sign_in(officer, server.url, "wang", "pw-wangwang")
    open_from_the_desk(officer, server.url, "楼道灯坏了")
    act(officer, "accept")
    expect(officer.get_by_test_id("appeal-status")).to_have_text("已受理")
    expect(officer.get_by_test_id("appeal-level")).to_have_text("街道")


def test_admin_and_staff_keep_streets_and_grids_at_phone_size(server, community, live_api,
                                                             new_context):
    verified_resident(server, live_api, community, "xiaoli", "501", "网格员小李")
    live_api().post("/auth/register", {"username": "wang", "password": "pw-wangwang",
                                       "display_name": "街道小王"})
    admin = new_context().new_page()
    admin.on("dialog", lambda dialog: dialog.accept())  # every step here asks first
    sign_in(admin, server.url, "admin", "admin-password")
    admin.goto(server.url + "/staff/")
    admin.get_by_role("link", name="街道", exact=True).click()
    expect(admin.locator(".empty")).to_have_text("还没有街道。先在上面建一个。")
    admin.fill("#f-new-street-name", "祖庙街道")
    with admin.expect_navigation():
        admin.get_by_role("button", name="建立街道").click()
    expect(admin.locator("[data-flash]")).to_have_text("街道已建立。")
    street = admin.locator("[data-street]")
    street.get_by_text("加入社区", exact=True).click()
    street.get_by_label("社区").select_option(label="岭南社区")
    with admin.expect_navigation():
        street.get_by_role("button", name="加入这个社区").click()
    expect(admin.get_by_test_id("street-communities")).to_have_text("岭南社区")
    street.get_by_text("添加街道工作人员", exact=True).click()
    street.get_by_label("账号").select_option(label="街道小王 (wang)")
    with admin.expect_navigation():
        street.get_by_role("button", name="加入街道").click()
    expect(admin.locator("[data-flash]")).to_have_text("已成为街道工作人员。")
    expect(admin.get_by_test_id("street-staff")).to_have_text("街道小王")

    staff = new_context().new_page()
    staff.on("dialog", lambda dialog: dialog.accept())
    sign_in(staff, server.url, "staff", "staff-password")
    staff.goto(server.url + "/staff/")
    staff.get_by_role("link", name="网格", exact=True).click()
    expect(staff.locator("[data-community] .empty").first).to_be_visible()
    staff.fill("[data-community] [name=name]", "一网格")
    staff.locator("label.chip", has_text="B 栋").click()
    staff.get_by_label("社区居民").select_option(label="网格员小李")
    with staff.expect_navigation():
        staff.get_by_role("button", name="建立网格").click()
    expect(staff.locator("[data-flash]")).to_have_text("网格已建立。")
    staff.get_by_role("link", name="编辑一网格").click()
    staff.fill("#f-g-name", "一网格（北）")
    with staff.expect_navigation(url="**/staff/grids"):
        staff.get_by_role("button", name="保存网格").click()
    expect(staff.locator("[data-flash]")).to_have_text("网格已保存。")
    expect(staff.locator("[data-grid]")).to_contain_text("网格员小李")
    expect(staff.get_by_role("link", name="编辑一网格（北）")).to_be_visible()
    staff.goto(server.url + "/appeals/staff")
    staff.fill("#l-1-grid-accept_minutes", "120")
    with staff.expect_navigation():
        staff.get_by_role("button", name="保存时限").click()
    expect(staff.locator("#l-1-grid-accept_minutes")).to_have_value("120")
    assert community["staff"].get("/communities/1/appeal-limits")["grid"]["accept_minutes"] == 120

    officer = new_context().new_page()
    sign_in(officer, server.url, "wang", "pw-wangwang")
    officer.goto(server.url + "/appeals/staff")
    officer.fill("#sl-1-accept_minutes", "720")
    with officer.expect_navigation():
        officer.get_by_role("button", name="保存街道时限").click()
    expect(officer.locator("[data-flash]")).to_have_text("时限已保存，未办结的诉求立即按新时限计算。")
    expect(officer.locator("#sl-1-accept_minutes")).to_have_value("720")
