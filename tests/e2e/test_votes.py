"""At phone size: an owner votes and sees the turnout move; staff record a paper ballot and
close the vote; the result page and the public notice show the outcome."""
import re

from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in


def _elevator_vote(community, live_api):
    """Owner ``liang`` of B-302 (68.90 m²), an ownerless B-601 (75.12 m²), an open major vote."""
    staff = community["staff"]
    liang = live_api().post("/auth/register", {"username": "liang", "password": "liang-password",
                                               "display_name": "梁姨"})
    unit = community["unit"]
    staff.post(f"/users/{liang['id']}/verify", {"unit_id": unit["id"], "relation": "owner"})
    staff.post(f"/units/{unit['id']}/owner", {"user_id": liang["id"]})
    ownerless = staff.post(f"/buildings/{community['building']['id']}/units",
                           {"number": "601", "floor_area_m2": "75.12"})
    vote = staff.post("/votes", {"title": "B栋更换电梯", "rule": "major",
                                 "description": "更换为无障碍电梯，维修资金支付。",
                                 "building_id": community["building"]["id"]})
    return vote, ownerless


def test_elevator_vote_from_phones(server, community, live_api, new_context):
    vote, ownerless = _elevator_vote(community, live_api)
    vote_url = f"{server.url}/votes/{vote['id']}"

    owner = new_context().new_page()
    sign_in(owner, server.url, "liang", "liang-password")
    owner.goto(server.url + "/")
    owner.get_by_role("link", name="B栋更换电梯").click()
    area = owner.locator("[data-turnout-participating-area]")
    expect(area).to_have_text("0.00 / 144.02")
    owner.get_by_role("radio", name="同意").check()
    owner.get_by_role("button", name="投票").click()
    expect(area).to_have_text("68.90 / 144.02")
    expect(owner.locator("progress[data-turnout-progress=participating-area]")).to_have_attribute(
        "value", "6890")
    expect(owner.get_by_test_id("receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-"))
    expect(owner.locator("[data-vote-id]").first).to_have_attribute("data-version", "2")

    staff = new_context().new_page()
    sign_in(staff, server.url, "staff", "staff-password")
    staff.goto(vote_url + "/pending")
    expect(staff.locator("tr[data-unit]")).to_have_count(1)
    staff.goto(vote_url + "/record")
    staff.get_by_label("房屋").select_option(value=str(ownerless["id"]))
    staff.get_by_role("radio", name="纸质").check()
    staff.get_by_role("radio", name="同意").check()
    staff.get_by_label("备注").fill("纸质表决票 #1")
    staff.get_by_role("button", name="录入选票").click()
    expect(staff.get_by_text("所有房屋均已投票。")).to_be_visible()

    owner.reload()
    expect(area).to_have_text("144.02 / 144.02")

    staff.goto(vote_url)
    staff.once("dialog", lambda dialog: dialog.accept())  # closing asks for confirmation
    staff.get_by_role("button", name="立即结束表决").click()
    expect(staff.locator("[data-vote-status]").first).to_have_text("已结束")

    owner.goto(vote_url + "/result")
    expect(owner.get_by_test_id("outcome")).to_have_text("议案已通过。")
    owner.goto(vote_url + "/notice")
    expect(owner.get_by_role("heading", level=1)).to_have_text("表决结果公示")
    expect(owner.get_by_test_id("notice-outcome")).to_have_text("通过")


def test_staff_open_a_building_vote_with_a_document_link(server, community, new_context):
    page = new_context().new_page()
    sign_in(page, server.url, "staff", "staff-password")
    page.goto(server.url + "/votes/new")
    page.get_by_label("标题", exact=True).fill("B栋加装电梯")
    page.get_by_label("议案", exact=True).fill("加装电梯，费用按面积分摊。")
    page.get_by_label("表决范围").select_option(label="B 栋")
    page.get_by_label("文件 1：标题").fill("报价单")
    page.get_by_label("文件 1：网址（https://…）").fill("https://example.org/quote.pdf")
    page.get_by_role("button", name="发起表决").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("B栋加装电梯")
    expect(page.get_by_role("link", name="报价单")).to_have_attribute(
        "href", "https://example.org/quote.pdf")
    expect(page.locator("[data-turnout-participating-area]")).to_have_text("0.00 / 68.90")
