"""At phone size: an owner reads the project's document, asks a question, sees their cost
share and votes; the printable notice, printed to PDF, carries the figures and documents. At
the kiosk: the documents and plan beside the choice, the voter's share after their PIN."""
import io
import re
import unicodedata

import requests
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_foundation import sign_in
from tests.e2e.test_kiosk import enter_pin, kiosk, open_kiosk  # noqa: F401  (kiosk: a fixture)

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


def test_at_the_kiosk_the_project_shows_its_documents_plan_and_the_voters_share(
        new_context, kiosk, community):
    staff = community["staff"]
    liang = kiosk["liang"].get("/me")
    staff.post(f"/units/{community['unit']['id']}/owner", {"user_id": liang["id"]})
    vote = staff.post("/votes", {"title": "加装电梯", "description": "B栋加装电梯",
                                 "rule": "major", "building_id": community["building"]["id"]})
    staff.call("PUT", f"/votes/{vote['id']}/cost-plan", {"total_cost": "50000.00"})
    requests.post(f"{staff.base}/votes/{vote['id']}/documents", headers=staff.headers,
                  data={"name": "报价单"}, files={"file": ("q.pdf", io.BytesIO(PDF))},
                  timeout=10).raise_for_status()
    page = open_kiosk(new_context, kiosk)
    page.get_by_role("button", name="投票").click()
    page.get_by_role("button", name="加装电梯").click()
    # the proposal with its documents first, then the person, then the choice beside the plan
    expect(page.locator("[data-proposal-document-list]")).to_contain_text("报价单")
    page.locator("[data-identify]").click()
    page.get_by_role("button", name="Liang").click()
    enter_pin(page, "2468")
    expect(page.locator("[data-vote-plan]")).to_contain_text("¥50000.00")
    page.locator("[data-choice=yes]").click()
    page.locator("[data-cast]").click()
    expect(page.locator("[data-done-text]")).to_contain_text("您分摊的费用：¥50000.00")
