"""Community scopes: another community's offers and buildings are neither listed nor
readable by residents (404); a directed order names an offer of the requester's community;
the public receipt page tells nothing about a vote until its code is valid, and is
rate-limited."""
import pytest

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db
from mutualaid.matching import domain as matching
from mutualaid.votes import domain as votes
from tests.factories import make_building, make_community, make_unit, make_user
from tests.votes.factories import make_owner, make_vote


@pytest.fixture
def two(db):
    """Communities A and B, each with a building, a verified resident and an offer."""
    here, there = make_community("A"), make_community("B")
    home, away = make_building(here, name="A1"), make_building(there, name="B1")
    resident = make_user(verified=True, unit=make_unit(home))
    neighbour = make_user(verified=True, unit=make_unit(home))
    stranger = make_user(verified=True, unit=make_unit(away), display_name="Far Away")
    mine = matching.create_offer(neighbour, "Fix taps", ["repair"])
    theirs = matching.create_offer(stranger, "Walk dogs", ["pet_care"])
    db.session.commit()
    return {"here": here, "there": there, "home": home, "away": away, "resident": resident,
            "stranger": stranger, "mine": mine, "theirs": theirs}


def test_offers_of_another_community_are_not_listed(api, two):
    listed = api(two["resident"]).get("/offers").json
    assert [item["id"] for item in listed["items"]] == [two["mine"].id]
    assert [i["id"] for i in api(two["stranger"]).get("/offers").json["items"]] == [
        two["theirs"].id]


def test_offer_of_another_community_is_404(api, two):
    assert api(two["resident"]).get(f"/offers/{two['mine'].id}").status_code == 200
    assert api(two["resident"]).get(f"/offers/{two['theirs'].id}").status_code == 404
    assert api(two["stranger"]).get(f"/offers/{two['theirs'].id}").status_code == 200


def test_unverified_residents_see_no_one_s_offers(api, two):
    assert api(make_user()).get("/offers").json["total"] == 0


def test_buildings_of_another_community_are_404(api, two):
    own = api(two["resident"]).get(f"/communities/{two['here'].id}/buildings")
    assert own.status_code == 200 and [b["name"] for b in own.json["items"]] == ["A1"]
    other = api(two["resident"]).get(f"/communities/{two['there'].id}/buildings")
    assert other.status_code == 404


def test_directed_order_cannot_name_another_community_s_offer(api, two):
    body = {"title": "Walk my dog", "tags": ["pet_care"], "offer_id": two["theirs"].id}
    response = api(two["resident"]).post("/orders", body)
    assert response.status_code == 400 and "offer_id" in response.json["error"]["fields"]
    body = {"title": "Tap", "tags": ["repair"], "offer_id": two["mine"].id}
    assert api(two["resident"]).post("/orders", body).status_code == 201


def test_receipt_page_says_nothing_about_a_vote_until_the_code_is_valid(client, db):
    building = make_building()
    vote = make_vote(building, title="Secret lift project")
    owner, _unit = make_owner(building, "301")
    receipt = votes.cast_ballot(owner, vote, "yes").receipt
    db.session.commit()
    for path in (f"/votes/{vote.id}/receipt", f"/votes/{vote.id}/receipt?code=WRONG-CODE",
                 f"/votes/{vote.id + 99}/receipt?code=WRONG-CODE"):
        page = client.get(path)
        assert page.status_code == 404 and "Secret lift" not in page.get_data(as_text=True)
    valid = client.get(f"/votes/{vote.id}/receipt?code={receipt}")
    assert valid.status_code == 200 and "Secret lift" in valid.get_data(as_text=True)


def test_receipt_page_is_rate_limited_per_client(tmp_path):
    config = TestingConfig(tmp_path)
    config.RATELIMIT_ENABLED = True
    app = create_app(config)
    with app.app_context():
        db.create_all()
        client = app.test_client()
        statuses = [client.get("/votes/1/receipt?code=GUESS").status_code for _ in range(61)]
        assert statuses[:60] == [404] * 60 and statuses[60] == 429
        db.engine.dispose()


def test_matches_list_only_neighbours_of_the_order_s_community(api, db):
    """A skilled neighbour 50 m away but across the community line is not shown."""
    from tests.matching.factories import add_skills, building_at

    here, there = make_community("A"), make_community("B")
    home, across = building_at(community=here), building_at(north_m=50, community=there)
    requester = make_user(verified=True, unit=make_unit(home))
    inside = make_user(verified=True, unit=make_unit(home), display_name="Inside")
    outside = make_user(verified=True, unit=make_unit(across), display_name="Outside")
    for helper in (inside, outside):
        add_skills(helper, "repair.plumbing")
    order = api(requester).post("/orders", {"title": "Tap", "tags": ["repair.plumbing"]}).json
    names = [m["display_name"] for m in api(requester).get(f"/orders/{order['id']}/matches")
             .json["items"]]
    assert names == ["Inside"]
