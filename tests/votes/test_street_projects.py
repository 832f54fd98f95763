"""The street's building projects with their time to decision: every community of the
street for its staff, community by community, in pages; nobody else."""
import re
from datetime import timedelta

import pytest

from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.streets import domain as streets
from mutualaid.votes import domain, stages
from tests.factories import make_building, make_community, make_staff, make_user
from tests.votes.factories import make_vote
from tests.votes.test_pages import page


def decided(building, staff, title, days):
    """A project whose final result came ``days`` after its notice (no objection days)."""
    notice = utcnow() - timedelta(days=days + 1)
    vote = make_vote(building, staff, rule="ordinary", title=title, notice_at=notice,
                     opens_at=notice, now=notice, objection_days=0)
    domain.close_vote(staff, vote, now=notice + timedelta(days=days))
    return vote


@pytest.fixture
def street(app):
    admin = make_user(role="admin")
    lingnan, lianhua = make_community("Lingnan"), make_community("Lianhua")
    zumiao = streets.create_street(admin, "Zumiao")
    for community in (lingnan, lianhua):
        streets.add_community(admin, zumiao, community)
    officer = make_user(role="staff")
    streets.add_street_staff(admin, zumiao, officer)
    b, l1 = make_building(lingnan, "B"), make_building(lianhua, "L1")
    lin, chen = make_staff(lingnan), make_staff(lianhua)
    decided(b, lin, "First lift", 730)
    decided(b, lin, "Second lift", 150)
    decided(l1, chen, "Third lift", 60)
    make_vote(l1, chen, rule="major", title="Fourth lift")
    make_vote(l1, chen, rule="poll", title="Which plants?")
    elsewhere = make_building(make_community("Elsewhere"))
    decided(elsewhere, make_staff(elsewhere.community), "Not of the street", 3)
    db.session.commit()
    return dict(street=zumiao, officer=officer, admin=admin, lin=lin, lingnan=lingnan)


def test_street_staff_see_every_communitys_projects_and_their_time_to_decision(client, street):
    response = page(client, street["officer"], f"/votes/projects/street/{street['street'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for title in ("First lift", "Second lift", "Third lift", "Fourth lift"):
        assert title in html
    assert "Which plants?" not in html and "Not of the street" not in html  # polls, others
    assert "730 days" in html and "150 days" in html and "60 days" in html
    # the median of 730, 150 and 60; three of four decided
    assert "Median time to decision: 150 days · 3 of 4 projects decided" in html
    lingnan = html[html.index(f'data-community="{street["lingnan"].id}"'):]
    # Lingnan's two lifts, 730 and 150 days: the upper median, as on the community's list
    assert "<td>2 of 2</td><td>730 days</td>" in lingnan.split("</tr>")[0].replace("\n      ", "")
    # street staff see the projects, not the votes themselves (those are the communities')
    assert not re.search(r'href="/votes/\d+"', html)


def test_the_admin_may_open_the_projects_from_the_list(client, street):
    html = page(client, street["admin"], f"/votes/projects/street/{street['street'].id}") \
        .get_data(as_text=True)
    assert re.search(r'href="/votes/\d+"', html)


def test_only_the_streets_staff_see_it(client, street):
    path = f"/votes/projects/street/{street['street'].id}"
    assert page(client, street["lin"], path).status_code == 403  # a community's staff
    assert page(client, make_user(verified=True), path).status_code == 403
    assert page(client, street["officer"], "/votes/projects/street/999").status_code == 404


def test_the_list_comes_in_pages_and_says_when_there_is_nothing(client, street):
    admin = street["admin"]
    empty = streets.create_street(admin, "Quiet")
    building = make_building(street["lingnan"], "C")
    for number in range(20):
        make_vote(building, street["lin"], rule="ordinary", title=f"Repair {number}")
    db.session.commit()
    path = f"/votes/projects/street/{street['street'].id}"
    first = page(client, street["officer"], path).get_data(as_text=True)
    assert first.count("data-project=") == 20 and "Page 1 of 2" in first
    second = page(client, street["officer"], path + "?page=2").get_data(as_text=True)
    assert second.count("data-project=") == 4 and "First lift" in second
    assert page(client, street["officer"], path + "?page=9").status_code == 404
    html = page(client, admin, f"/votes/projects/street/{empty.id}").get_data(as_text=True)
    assert "No building projects in this street" in html


def test_the_staff_desk_leads_to_the_streets_list(client, street):
    desk = page(client, street["officer"], "/staff/").get_data(as_text=True)
    assert 'href="/votes/projects"' in desk
    html = page(client, street["officer"], "/votes/projects").get_data(as_text=True)
    assert f'href="/votes/projects/street/{street["street"].id}"' in html
    assert "Projects of every community of Zumiao" in html
