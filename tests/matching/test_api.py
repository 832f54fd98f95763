"""/api/v1 routes for skill tags, skills and offers: shapes, permissions, bad input."""
import pytest

from mutualaid.core.extensions import db
from mutualaid.matching.models import Offer, UserSkill
from tests.factories import make_user
from tests.matching.factories import add_skills, building_at, make_offer, resident

OFFER = {"title": "Fix leaking taps", "description": "Bring your own washer.",
         "tags": ["repair.plumbing"], "radius_m": 1500,
         "availability": {"days": ["sat", "sun"], "parts": ["morning"]}}


def skill_rows():
    return db.session.execute(db.select(UserSkill.user_id, UserSkill.tag, UserSkill.radius_m)
                              .order_by(UserSkill.user_id, UserSkill.tag)).all()


def offer_rows():
    return [(o.id, o.title, o.description, tuple(o.tags), o.radius_m, o.available_days,
             o.available_parts, o.active) for o in db.session.scalars(db.select(Offer))]


def test_skill_tags_are_public_with_both_names(api):
    response = api().get("/skill-tags")
    assert response.status_code == 200
    items = {item["code"]: item for item in response.json["items"]}
    assert items["repair.plumbing"] == {"code": "repair.plumbing", "parent": "repair",
                                        "name_zh": "水管维修", "name_en": "Plumbing"}


def test_skills_start_empty_with_the_default_radius(api):
    response = api(make_user()).get("/me/skills")
    assert response.json == {"tags": [], "radius_m": 1000}


def test_put_skills_replaces_them_and_keeps_the_radius_when_not_given(api):
    user = make_user()
    add_skills(user, "cleaning")
    client = api(user)
    response = client.put("/me/skills", json={"tags": ["tutoring", "repair", "tutoring"],
                                              "radius_m": 2500})
    assert response.status_code == 200
    assert response.json == {"tags": ["repair", "tutoring"], "radius_m": 2500}
    response = client.put("/me/skills", json={"tags": ["it_help"]})
    assert response.json == {"tags": ["it_help"], "radius_m": 2500}
    assert client.get("/me/skills").json == {"tags": ["it_help"], "radius_m": 2500}
    assert client.put("/me/skills", json={"tags": []}).json == {"tags": [], "radius_m": 1000}


def test_skills_need_a_sign_in(api):
    assert api().get("/me/skills").status_code == 401
    assert api().put("/me/skills", json={"tags": ["repair"]}).status_code == 401


@pytest.mark.parametrize("body", [
    {"tags": ["repair.roofing"]},
    {"tags": "repair"},
    {"tags": [1]},
    {"tags": ["x" * 41]},
    {"tags": ["repair"] * 30},
    {},
    {"tags": ["repair"], "radius_m": 99},
    {"tags": ["repair"], "radius_m": 20001},
    {"tags": ["repair"], "radius_m": "1000"},
    {"tags": ["repair"], "radius_m": 1000.5},
    {"tags": ["repair"], "radius_m": True},
    {"tags": [["repair"]]},
])
def test_bad_skills_are_400_and_change_nothing(api, body):
    user = make_user()
    add_skills(user, "cleaning", radius_m=700)
    before = skill_rows()
    response = api(user).put("/me/skills", json=body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_input"
    assert skill_rows() == before


def test_bad_json_body_for_skills_is_400(api):
    response = api(make_user()).put("/me/skills", data=b"{nope", content_type="application/json")
    assert response.status_code == 400


def test_create_offer_answers_the_offer(api):
    owner = resident(display_name="Master He")
    response = api(owner).post("/offers", json=OFFER)
    assert response.status_code == 201
    body = response.json
    assert body["owner"] == {"id": owner.id, "display_name": "Master He"}
    assert {k: body[k] for k in ("title", "description", "tags", "radius_m", "availability",
                                 "active")} == {**{k: v for k, v in OFFER.items()}, "active": True}
    assert body["created_at"].endswith("+00:00")


def test_offer_availability_defaults_to_any_time(api):
    body = api(resident()).post("/offers", json={"title": "Walk dogs", "tags": ["pet_care"]}).json
    assert body["availability"] == {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                    "parts": ["morning", "afternoon", "evening"]}
    assert body["radius_m"] == 1000 and body["description"] == ""


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("unverified", 403),
                                             ("verified", 201)])
def test_who_may_create_offers(api, who, status):
    user = {"anonymous": lambda: None, "unverified": make_user, "verified": resident}[who]()
    response = api(user).post("/offers", json=OFFER)
    assert response.status_code == status
    assert len(offer_rows()) == (1 if status == 201 else 0)


@pytest.mark.parametrize("change", [
    {"title": ""}, {"title": "x" * 81}, {"title": None}, {"description": "x" * 1001},
    {"tags": []}, {"tags": ["nope"]},
    {"tags": ["repair", "errands", "escort", "tutoring", "cleaning", "moving"]},
    {"radius_m": 50}, {"radius_m": 30000}, {"radius_m": "far"},
    {"availability": {"days": [], "parts": ["morning"]}},
    {"availability": {"days": ["monday"], "parts": ["morning"]}},
    {"availability": {"days": ["mon"], "parts": ["night"]}},
    {"availability": {"days": ["mon"]}}, {"availability": "weekends"},
    {"active": "yes"}, {"active": 1},
])
def test_bad_offer_input_is_400_and_changes_nothing(api, change):
    owner = resident()
    offer = make_offer(owner, "repair", title="Repairs")
    before = offer_rows()
    client = api(owner)
    created = client.post("/offers", json={**OFFER, **change})
    patched = client.patch(f"/offers/{offer.id}", json=change)
    assert (created.status_code, patched.status_code) == (400, 400)
    assert created.json["error"]["code"] == "invalid_input"
    assert offer_rows() == before


def test_owner_edits_and_withdraws_an_offer(api):
    owner = resident()
    offer = make_offer(owner, "repair", title="Repairs")
    client = api(owner)
    response = client.patch(f"/offers/{offer.id}", json={
        "title": "Plumbing only", "tags": ["repair.plumbing", "repair"], "radius_m": 800,
        "availability": {"days": ["mon"], "parts": ["evening"]}})
    assert response.status_code == 200
    assert response.json["tags"] == ["repair", "repair.plumbing"]
    assert response.json["availability"] == {"days": ["mon"], "parts": ["evening"]}
    assert response.json["radius_m"] == 800 and response.json["title"] == "Plumbing only"
    assert client.delete(f"/offers/{offer.id}").status_code == 204
    assert client.get(f"/offers/{offer.id}").json["active"] is False
    assert client.patch(f"/offers/{offer.id}", json={"active": True}).json["active"] is True


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_only_the_owner_changes_an_offer(api, method):
    offer = make_offer(resident(), "repair", title="Repairs")
    before = offer_rows()
    client = api(resident())
    response = (client.patch(f"/offers/{offer.id}", json={"title": "Mine now"})
                if method == "patch" else client.delete(f"/offers/{offer.id}"))
    assert response.status_code == 403
    assert offer_rows() == before


@pytest.mark.parametrize("path", ["/offers/999", "/offers/99999999999999999999999"])
def test_unknown_offer_is_404(api, path):
    client = api(resident())
    assert client.get(path).status_code == 404
    assert client.patch(path, json={"title": "x"}).status_code == 404
    assert client.delete(path).status_code == 404


def test_withdrawn_offer_is_hidden_from_others(api):
    offer = make_offer(resident(), "repair", title="Repairs", active=False)
    assert api(resident()).get(f"/offers/{offer.id}").status_code == 404


def test_list_offers_shows_active_offers_of_verified_neighbours_filtered_by_tag(api):
    home = building_at()  # neighbours' offers are those of one's own community
    viewer = resident(home)
    plumbing = make_offer(resident(home), "repair.plumbing", title="Taps")
    tutoring = make_offer(resident(home), "tutoring", title="Maths")
    make_offer(resident(home), "repair", title="Gone", active=False)
    make_offer(make_user(), "repair", title="Not verified")
    client = api(viewer)
    everything = client.get("/offers").json
    assert [item["id"] for item in everything["items"]] == [tutoring.id, plumbing.id]
    assert everything["total"] == 2 and everything["page"] == 1
    assert [item["id"] for item in client.get("/offers?tag=repair").json["items"]] == [plumbing.id]
    assert client.get("/offers?tag=nope").status_code == 400
    assert client.get("/offers?page=0").status_code == 400


def test_list_my_offers_includes_withdrawn_ones(api):
    owner = resident()
    mine = [make_offer(owner, "cleaning", title="Windows"),
            make_offer(owner, "moving", title="Boxes", active=False)]
    make_offer(resident(), "cleaning", title="Theirs")
    items = api(owner).get("/offers?mine=true").json["items"]
    assert sorted(item["id"] for item in items) == sorted(offer.id for offer in mine)


def test_list_offers_needs_a_sign_in(api):
    assert api().get("/offers").status_code == 401
