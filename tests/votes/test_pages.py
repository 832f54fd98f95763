"""Vote pages render for the right people with the right content (both languages)."""
import pytest

from mutualaid.core.extensions import db
from mutualaid.votes import domain
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import make_owner, make_vote


@pytest.fixture
def scene(app):
    building = make_building(name="B")
    staff = make_staff(building.community)
    owner, unit = make_owner(building, "302", "68.90")
    make_unit(building, "601", "75.12")
    tenant = make_user(verified=True, unit=unit, relation="tenant")
    vote = make_vote(building, staff, title="加装电梯")
    db.session.commit()
    return dict(building=building, staff=staff, owner=owner, tenant=tenant, vote=vote)


def page(client, user, path, lang="en"):
    """GET a page signed in as ``user`` (None: anonymous) in ``lang``."""
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    client.set_cookie("lang", lang)
    return client.get(path)


def test_owner_sees_the_proposal_bars_and_ballot_form(client, scene):
    response = page(client, scene["owner"], f"/votes/{scene['vote'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-vote-id="{scene["vote"].id}"' in html and 'data-version="1"' in html
    assert 'data-turnout-progress="participating-area"' in html
    assert "Cast my ballot" in html and "line-two-thirds" in html and "line-three-quarters" in html


def test_owner_sees_receipt_after_voting(client, scene):
    ballot = domain.cast_ballot(scene["owner"], scene["vote"], "yes")
    db.session.commit()
    html = page(client, scene["owner"], f"/votes/{scene['vote'].id}").get_data(as_text=True)
    assert ballot.receipt in html and "Change my ballot" in html
    assert "68.90 / 144.02" in html


def test_tenant_sees_the_vote_but_no_ballot_form(client, scene):
    html = page(client, scene["tenant"], f"/votes/{scene['vote'].id}").get_data(as_text=True)
    assert "Only owners of record" in html and "Cast my ballot" not in html


def test_home_lists_open_votes_for_eligible_voters_only(client, scene):
    assert "加装电梯" in page(client, scene["owner"], "/").get_data(as_text=True)
    assert "加装电梯" not in page(client, scene["tenant"], "/").get_data(as_text=True)


def test_votes_tab_in_chinese(client, scene):
    html = page(client, scene["owner"], "/votes/", lang="zh_CN").get_data(as_text=True)
    assert "表决" in html and "加装电梯" in html


@pytest.mark.parametrize("path", ["/votes/new", "/votes/{id}/record", "/votes/{id}/pending"])
def test_staff_pages_refuse_residents(client, scene, path):
    response = page(client, scene["owner"], path.format(id=scene["vote"].id))
    assert response.status_code == 403


def test_staff_pages_render(client, scene):
    vote_id = scene["vote"].id
    for path in ("/votes/new", f"/votes/{vote_id}/record", f"/votes/{vote_id}/pending",
                 f"/votes/{vote_id}"):
        response = page(client, scene["staff"], path)
        assert response.status_code == 200, path
    pending = page(client, scene["staff"], f"/votes/{vote_id}/pending").get_data(as_text=True)
    assert 'data-floor="3"' in pending and 'data-floor="6"' in pending
    assert "Close the vote now" in page(client, scene["staff"], f"/votes/{vote_id}").get_data(
        as_text=True)


def test_result_and_notice_show_the_outcome_after_closing(client, scene):
    vote = scene["vote"]
    domain.cast_ballot(scene["owner"], vote, "yes")
    domain.record_assisted_ballot(scene["staff"], vote, make_unit_of(scene, "601"), "yes",
                                  "paper")
    domain.close_vote(scene["staff"], vote)
    db.session.commit()
    result = page(client, scene["owner"], f"/votes/{vote.id}/result").get_data(as_text=True)
    assert "The proposal passed." in result
    notice = page(client, scene["owner"], f"/votes/{vote.id}/notice").get_data(as_text=True)
    assert "Public notice of a vote result" in notice and "Passed" in notice
    zh = page(client, scene["owner"], f"/votes/{vote.id}/notice", lang="zh_CN").get_data(
        as_text=True)
    assert "公示" in zh and "通过" in zh


def make_unit_of(scene, number):
    from mutualaid.places.models import Unit
    import sqlalchemy as sa

    return db.session.scalar(sa.select(Unit).where(Unit.building_id == scene["building"].id,
                                                   Unit.number == number))


def test_receipt_page_checks_a_code_without_signing_in(client, scene):
    ballot = domain.cast_ballot(scene["owner"], scene["vote"], "no")
    db.session.commit()
    ok = page(client, None, f"/votes/{scene['vote'].id}/receipt?code={ballot.receipt}")
    assert ok.status_code == 200 and "Yes, this ballot is counted" in ok.get_data(as_text=True)
    missing = page(client, None, f"/votes/{scene['vote'].id}/receipt?code=NOPE")
    assert missing.status_code == 404


def test_vote_pages_of_other_scopes_are_not_found(client, scene):
    stranger = make_user(verified=True, unit=make_unit(make_building(), "101"))
    db.session.commit()
    assert page(client, stranger, f"/votes/{scene['vote'].id}").status_code == 404
