"""The skills and offers page, rendered by the server."""
import re

from mutualaid.core.extensions import db
from tests.factories import PASSWORD, make_user
from tests.matching.factories import add_skills, building_at, make_offer, resident


def sign_in(client, user):
    """Sign in through the login form, with its CSRF token."""
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code in (302, 303)


def test_skills_page_needs_a_sign_in(client):
    response = client.get("/skills")
    assert response.status_code in (302, 401)


def test_skills_page_shows_my_skills_offers_and_neighbours_offers(client):
    home = building_at()  # neighbours' offers are those of one's own community
    me = resident(home)
    add_skills(me, "repair.plumbing", radius_m=2000)
    make_offer(me, "repair.plumbing", title="Leaking taps")
    make_offer(me, "moving", title="Old sofa", active=False)
    make_offer(resident(home, display_name="Ms Mai"), "it_help", title="Phone set-up")
    sign_in(client, me)
    client.set_cookie("lang", "en")
    html = client.get("/skills").get_data(as_text=True)
    assert 'value="repair.plumbing" data-type="list" id="skill-repair.plumbing" checked' in html
    assert '<option value="2000" selected>2 km</option>' in html
    assert "Leaking taps" in html and "Withdrawn" in html and "Phone set-up" in html
    assert "Ms Mai" in html


def test_neighbours_offers_filter_by_tag(client):
    home = building_at()
    make_offer(resident(home), "it_help", title="Phone set-up")
    make_offer(resident(home), "cleaning", title="Window cleaning")
    sign_in(client, resident(home))
    html = client.get("/skills?tag=cleaning").get_data(as_text=True)
    assert "Window cleaning" in html and "Phone set-up" not in html
    assert client.get("/skills?tag=nonsense&page=abc").status_code == 200


def test_unverified_user_sees_why_and_no_offer_form(client):
    sign_in(client, make_user())
    html = client.get("/skills").get_data(as_text=True)
    assert 'class="notice"' in html and "data-offer-form" not in html
