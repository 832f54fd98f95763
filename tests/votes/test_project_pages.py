"""Building-project pages: the vote page shows the stage, documents, the owner's share,
questions and objections before the ballot; staff see their tools and the turnout chart; the
printable notice of each stage; the list of projects with their time to decision."""
from datetime import timedelta

import pytest

from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.votes import domain, information, proxies, shares, stages
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import make_owner, make_vote
from tests.votes.test_information import PDF
from tests.votes.test_pages import page


@pytest.fixture
def scene(app):
    building = make_building(name="B")
    staff = make_staff(building.community)
    owner, _unit = make_owner(building, "302", "68.90")
    make_unit(building, "601", "75.12")
    daughter = make_user(verified=True, unit=make_unit(building, "101"), relation="family")
    vote = make_vote(building, staff, title="加装电梯", notice_at=utcnow() - timedelta(days=2))
    shares.set_cost_plan(staff, vote, total_cost=100_000, maintenance_fund=0, subsidy=0,
                         coefficients={})
    information.attach_document(staff, vote, "Quote of the lift", PDF)
    question = information.ask_question(owner, vote, "Who pays the upkeep?")
    information.answer_question(staff, question, "The maintenance fund.")
    db.session.commit()
    return dict(building=building, staff=staff, owner=owner, daughter=daughter, vote=vote)


def test_owner_sees_stage_documents_share_and_questions_before_the_ballot(client, scene):
    html = page(client, scene["owner"], f"/votes/{scene['vote'].id}").get_data(as_text=True)
    assert 'aria-current="step"' in html and "Voting" in html
    assert "Quote of the lift" in html and "/api/v1/vote-documents/" in html
    # 68.90 and 75.12 m² on floors 3 and 6 (coefficient 1.00) share 1,000.00
    assert "Your share" in html and "¥478.41" in html
    assert "Who pays the upkeep?" in html and "The maintenance fund." in html
    assert html.index("Your share") < html.index("Cast my ballot")
    assert "Ask a question" in html and "Staff tools" not in html


def test_the_page_is_in_chinese_too(client, scene):
    html = page(client, scene["owner"], f"/votes/{scene['vote'].id}", lang="zh").get_data(
        as_text=True)
    assert "投票中" in html or "表决中" in html


def test_a_proxy_sees_the_form_to_vote_for_the_owner(client, scene):
    proxies.authorise_proxy(scene["staff"], scene["vote"], scene["owner"], scene["daughter"],
                            "Signed at the hut", utcnow().date())
    db.session.commit()
    html = page(client, scene["daughter"], f"/votes/{scene['vote'].id}").get_data(as_text=True)
    assert f'name="for_owner_id" value="{scene["owner"].id}"' in html


def test_staff_see_the_chart_and_tools(client, scene):
    domain.cast_ballot(scene["owner"], scene["vote"], "yes")
    db.session.commit()
    html = page(client, scene["staff"], f"/votes/{scene['vote'].id}").get_data(as_text=True)
    assert 'data-testid="turnout-chart"' in html and "<polyline" in html
    assert "Area 31%" in html and "Owners 33%" in html
    assert "shares.csv" in html and "Attach a document" in html
    assert "the cost plan can no longer change" in html
    assert "Record the authorisation" in html


def test_printable_notice_of_each_stage(client, scene):
    vote = scene["vote"]
    html = page(client, scene["owner"], f"/votes/{vote.id}/print").get_data(as_text=True)
    assert "Notice of a vote" in html and "Quote of the lift" in html
    assert "3 owners, 219.14 m²" in html
    assert "qr.svg?path=" in html and "<img" in html
    assert "Chain head" not in html
    domain.cast_ballot(scene["owner"], vote, "yes")
    domain.close_vote(scene["staff"], vote)
    db.session.commit()
    html = page(client, scene["owner"], f"/votes/{vote.id}/print").get_data(as_text=True)
    assert "Notice of the preliminary result" in html and "Objections until" in html
    assert domain.audit.chain_head(vote.id)[1] in html
    vote.final_at = None
    stages.finalize_vote(scene["staff"], vote, now=utcnow() + timedelta(days=8))
    db.session.commit()
    html = page(client, scene["owner"], f"/votes/{vote.id}/print").get_data(as_text=True)
    assert "Notice of the final result" in html and "Time to decision" in html


def test_projects_list_their_time_to_decision(client, scene):
    vote = scene["vote"]
    domain.close_vote(scene["staff"], vote)
    stages.finalize_vote(scene["staff"], vote, now=utcnow() + timedelta(days=8))
    db.session.commit()
    html = page(client, scene["owner"], "/votes/projects").get_data(as_text=True)
    assert "加装电梯" in html and "Median time to decision: 10 days" in html


def test_staff_get_the_printable_notice_as_a_pdf(client, scene):
    import io

    from pypdf import PdfReader

    path = f"/votes/{scene['vote'].id}/notice.pdf"
    assert page(client, scene["owner"], path).status_code == 403
    answer = page(client, scene["staff"], path)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages)
    assert "Notice of a vote" in text and "Quote of the lift" in text and "219.14" in text


def test_staff_pick_the_owner_and_the_proxy_by_unit_and_name(client, scene):
    owner, daughter = scene["owner"], scene["daughter"]
    unverified = make_user(unit=None, display_name="Newcomer")
    elsewhere = make_user(verified=True, display_name="Far away")  # another community
    db.session.commit()
    html = page(client, scene["staff"], f"/votes/{scene['vote'].id}").get_data(as_text=True)
    owners, proxies_ = (html[html.index(f'id="{name}"'):].split("</select>")[0]
                        for name in ("proxy-owner", "proxy-user"))
    assert f'<option value="{owner.id}">B-302 · {owner.display_name}</option>' in owners
    assert (f'<option value="{daughter.id}">{daughter.display_name} ({daughter.username}) · B-101'
            '</option>') in proxies_
    assert unverified.display_name not in proxies_ and elsewhere.display_name not in proxies_
    assert 'name="proxy_id" data-type="int"' in html
    assert 'inputmode="numeric"' not in proxies_  # no raw user id to type any more
