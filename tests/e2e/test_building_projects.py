"""At phone size: an owner reads the project's document, asks a question, sees their cost
share and votes; the printable notice, printed to PDF, carries the figures and documents. At the
kiosk, the same with a PIN: the proposal with its documents, questions and turnout chart, a
question asked, the voter's share once they identify and before they choose, the ballot;
and staff recording an assisted ballot after the unit's share."""
import io
import re
import unicodedata

import requests
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_foundation import sign_in
from tests.e2e.test_kiosk import (  # noqa: F401  (kiosk: a fixture)
    enter_pin, kiosk, open_kiosk, staff_sign_in,
)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _project(server, community, live_api):
    """Owner ``liang`` of B-302 (68.90 m², floor 3), an ownerless B-601 (75.12 m², floor 6),
    a major vote with a cost plan of ¥100,000 (¥60,000 from the fund) and a quote."""
    staff = community["staff"]
    liang = live_api().post("/auth/register", {"username": "liang", "password": "liang-password",
                                               "display_name": "梁姨"})
    unit = community["unit"]
    staff.post(f"/users/{liang['id']}/verify", {"unit_id": unit["id"], "relation": "owner"})
    staff.post(f"/units/{unit['id']}/owner", {"user_id": liang["id"]})
    staff.post(f"/buildings/{community['building']['id']}/units",
               {"number": "601", "floor_area_m2": "75.12"})
    vote = staff.post("/votes", {"title": "B栋加装电梯", "rule": "major",
                                 "description": "加装无障碍电梯。",
                                 "building_id": community["building"]["id"]})
    staff.call("PUT", f"/votes/{vote['id']}/cost-plan", {
        "total_cost": "100000.00", "maintenance_fund": "60000.00", "subsidy": "0.00"})
    uploaded = requests.post(f"{staff.base}/votes/{vote['id']}/documents", headers=staff.headers,
                             data={"name": "电梯报价单"},
                             files={"file": ("quote.pdf", io.BytesIO(PDF), "application/pdf")},
                             timeout=10)
    assert uploaded.status_code == 201, uploaded.text
    return vote


def test_owner_reads_asks_sees_their_share_and_votes(server, community, live_api, new_context):
    vote = _project(server, community, live_api)
    owner = new_context().new_page()
    sign_in(owner, server.url, "liang", "liang-password")
    owner.goto(f"{server.url}/votes/{vote['id']}")

    document = owner.get_by_role("link", name="电梯报价单")
    expect(document).to_be_visible()
    served = owner.request.get(server.url + document.get_attribute("href"))
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    # ¥40,000 shared 6890 : 7512 between floors 3 and 6: 19,136.23 for B-302
    expect(owner.get_by_test_id("my-share")).to_contain_text("¥19136.23")

    owner.get_by_label("提个问题").fill("电梯什么时候开工？")
    owner.get_by_role("button", name="发送问题").click()
    expect(owner.get_by_test_id("question")).to_contain_text("电梯什么时候开工？")

    owner.get_by_role("radio", name="同意").check()
    owner.get_by_role("button", name="投票").click()
    expect(owner.get_by_test_id("receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-"))

    community["staff"].post(f"/votes/{vote['id']}/close")
    owner.goto(f"{server.url}/votes/{vote['id']}/print")
    expect(owner.get_by_role("heading", level=1)).to_have_text("初步统计结果公示")
    head = owner.get_by_test_id("print-chain-head").locator("code").inner_text()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        owner.pdf(format="A4", print_background=True))).pages)
    # the PDF's fonts map some characters to Kangxi radicals (⽰ for 示): NFKC folds them back
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    for expected in ("初步统计结果公示", "B栋加装电梯", "电梯报价单", head, "68.90"):
        assert expected in flat, expected


def _kiosk_project(kiosk, community):
    """Auntie Liang owns B-302 (the only unit: she pays the whole ¥50,000); a major vote with
    a quote and a question she asked, answered by staff."""
    staff = community["staff"]
    liang = kiosk["liang"].get("/me")
    staff.post(f"/units/{community['unit']['id']}/owner", {"user_id": liang["id"]})
    vote = staff.post("/votes", {"title": "加装电梯", "description": "B栋加装电梯",
                                 "rule": "major", "building_id": community["building"]["id"]})
    staff.call("PUT", f"/votes/{vote['id']}/cost-plan", {"total_cost": "50000.00"})
    requests.post(f"{staff.base}/votes/{vote['id']}/documents", headers=staff.headers,
                  data={"name": "报价单"}, files={"file": ("q.pdf", io.BytesIO(PDF))},
                  timeout=10).raise_for_status()
    asked = kiosk["liang"].post(f"/votes/{vote['id']}/questions", {"text": "一楼要出钱吗？"})
    staff.post(f"/questions/{asked['id']}/answer", {"text": "一、二楼不分摊。"})
    return vote


def open_proposal(page):
    page.get_by_role("button", name="投票").click()
    page.get_by_role("button", name="加装电梯").click()
    return page.locator("[data-screen=vote-proposal]")


def test_at_the_kiosk_an_owner_reads_asks_sees_their_share_then_votes(new_context, kiosk,
                                                                      community):
    vote = _kiosk_project(kiosk, community)
    page = open_kiosk(new_context, kiosk)
    proposal = open_proposal(page)
    # the proposal: its documents, the questions answered in public, the turnout so far
    expect(proposal.locator("[data-proposal-document-list]")).to_contain_text("报价单")
    expect(proposal.locator("[data-proposal-question-list]")).to_contain_text("一楼要出钱吗？")
    expect(proposal.locator("[data-proposal-question-list]")).to_contain_text("一、二楼不分摊。")
    expect(proposal.get_by_test_id("turnout-chart")).to_contain_text("三分之二")
    # a question first, signed with the PIN
    page.get_by_role("button", name="先提个问题").click()
    page.get_by_label("请写下您的问题").fill("什么时候开工？")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "2468")
    expect(page.locator("[data-done-text]")).to_contain_text("您的问题已提交")
    asked = community["staff"].get(f"/votes/{vote['id']}")["questions"]
    assert [(q["text"], q["asker"]["display_name"]) for q in asked][-1] == ("什么时候开工？", "Liang")
    page.get_by_role("button", name="完成").click()
    # then the ballot: the share once she has identified, before the choice
    proposal = open_proposal(page)
    expect(proposal.locator("[data-proposal-question-list]")).to_contain_text("什么时候开工？等待工作人员答复。")
    page.locator("[data-identify]").click()
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "2468")
    choice = page.locator("[data-screen=vote-choice]")
    expect(choice.locator("[data-vote-plan]")).to_contain_text("¥50000.00")
    expect(choice.locator("[data-my-share]")).to_have_text("您分摊的费用：¥50000.00。")
    page.locator("[data-choice=yes]").click()
    page.locator("[data-cast]").click()
    receipt = page.locator("[data-receipt-code]")
    expect(receipt).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}"))
    status = community["staff"].get(f"/votes/{vote['id']}/receipts/{receipt.inner_text()}")
    assert status["counted"] is True and status["channel"] == "kiosk"


def test_at_the_kiosk_staff_record_an_assisted_ballot_after_the_units_share(new_context, kiosk,
                                                                          community):
    vote = _kiosk_project(kiosk, community)
    page = open_kiosk(new_context, kiosk)
    expect(open_proposal(page).get_by_test_id("turnout-chart")).to_contain_text("业主 0%")
    page.locator("[data-identify]").click()
    staff_sign_in(page)
    page.get_by_role("button", name="302").click()
    expect(page.locator("[data-my-share]")).to_have_text("302 户分摊的费用：¥50000.00。")
    page.locator("[data-choice=no]").click()
    expect(page.locator("[data-readback]")).to_have_text("反对")
    page.locator("[data-cast]").click()
    expect(page.locator("[data-done-text]")).to_contain_text("302 户的选票已登记")
    result = community["staff"].get(f"/votes/{vote['id']}/result")
    assert result["tally"]["no"]["headcount"] == 1


def test_staff_record_a_proxy_by_picking_the_owner_and_the_proxy(server, community, live_api,
                                                                 new_context):
    from datetime import date

    vote = _project(server, community, live_api)
    staff = community["staff"]
    son = live_api().post("/auth/register", {"username": "xiaoming", "display_name": "小明",
                                             "password": "xiaoming-password"})
    units = staff.get(f"/buildings/{community['building']['id']}/units")["items"]
    flat = next(u for u in units if u["number"] == "601")
    staff.post(f"/users/{son['id']}/verify", {"unit_id": flat["id"], "relation": "tenant"})
    page = new_context().new_page()
    sign_in(page, server.url, "staff", "staff-password")
    page.goto(f"{server.url}/votes/{vote['id']}")
    page.get_by_label("签署委托书的业主").select_option(label="B-302 · 梁姨")
    page.get_by_label("受托人（本社区已认证的居民）").select_option(label="小明 (xiaoming) · B-601")
    page.get_by_label("签署日期").fill(date.today().isoformat())
    page.get_by_label("备注（书面委托书存放处）").fill("原件存居委会")
    page.get_by_role("button", name="登记委托").click()
    expect(page.get_by_text("梁姨 → 小明")).to_be_visible()
    owner_id = live_api("liang", "liang-password").get("/me")["id"]
    ballot = live_api("xiaoming", "xiaoming-password").post(
        f"/votes/{vote['id']}/ballots", {"choice": "yes", "for_owner_id": owner_id})
    assert ballot["ballot"]["channel"] == "proxy"  # the authorisation recorded is in force

