"""Verifying someone as 业主 records them as the unit's owner of record in the same step."""
import pytest

from mutualaid.accounts import domain
from mutualaid.core.errors import Conflict
from mutualaid.core.extensions import db
from tests.factories import make_staff, make_unit, make_user


def test_verify_as_owner_sets_the_owner_of_record(db):
    unit = make_unit()
    resident = make_user()
    domain.verify_user(make_staff(unit.building.community), resident, unit, "owner")
    assert unit.owner_id == resident.id and resident.relation == "owner"


def test_verify_as_tenant_leaves_the_owner_alone(db):
    owner = make_user()
    unit = make_unit(owner=owner)
    domain.verify_user(make_staff(unit.building.community), make_user(), unit, "tenant")
    assert unit.owner_id == owner.id


def test_verify_as_owner_of_an_owned_unit_conflicts_and_changes_nothing(db):
    owner = make_user()
    unit = make_unit(owner=owner)
    newcomer = make_user()
    with pytest.raises(Conflict) as raised:
        domain.verify_user(make_staff(unit.building.community), newcomer, unit, "owner")
    assert raised.value.code == "unit_has_owner"
    assert unit.owner_id == owner.id and not newcomer.verified and newcomer.unit_id is None


def test_api_verify_as_owner_then_vote_at_once(api):
    unit = make_unit()
    staff = make_staff(unit.building.community)
    newcomer = make_user()
    response = api(staff).post(f"/users/{newcomer.id}/verify",
                               {"unit_id": unit.id, "relation": "owner"})
    assert response.status_code == 200 and response.json["relation"] == "owner"
    vote = api(staff).post("/votes", {"title": "电梯", "description": "更换电梯", "rule": "major",
                                      "building_id": unit.building_id}).json
    ballot = api(newcomer).post(f"/votes/{vote['id']}/ballots", {"choice": "yes"})
    assert ballot.status_code == 201


def test_api_verify_as_owner_of_an_owned_unit_answers_409(api):
    owner = make_user()
    unit = make_unit(owner=owner)
    newcomer = make_user()
    response = api(make_staff(unit.building.community)).post(
        f"/users/{newcomer.id}/verify", {"unit_id": unit.id, "relation": "owner"})
    assert response.status_code == 409 and response.json["error"]["code"] == "unit_has_owner"
    db.session.expire_all()
    assert unit.owner_id == owner.id and newcomer.verified_at is None


def test_the_door_knocking_list_names_the_owner_and_phone(api):
    unit = make_unit()
    staff = make_staff(unit.building.community)
    owner = make_user(display_name="梁姨", phone="13800000002")
    domain.verify_user(staff, owner, unit, "owner")
    vote = api(staff).post("/votes", {"title": "电梯", "description": "更换电梯", "rule": "major",
                                      "building_id": unit.building_id}).json
    items = api(staff).get(f"/votes/{vote['id']}/pending-units").json["items"]
    assert items[0]["owner"] == {"id": owner.id, "display_name": "梁姨", "phone": "13800000002"}


def test_the_paper_ballot_form_names_owner_and_phone_by_building(client, api):
    from tests.accounts.test_api import sign_in

    unit = make_unit(number="302")
    staff = make_staff(unit.building.community)
    owner = make_user(display_name="梁姨", phone="13800000002")
    domain.verify_user(staff, owner, unit, "owner")
    vote = api(staff).post("/votes", {"title": "电梯", "description": "更换电梯", "rule": "major",
                                      "building_id": unit.building_id}).json
    make_user("newcomer")
    db.session.commit()
    sign_in(client, staff.username)
    page = client.get(f"/votes/{vote['id']}/record").text
    assert page.count("<optgroup") == 1  # one building, one group
    assert "梁姨 · 13800000002" in page
    assert "登记业主" in client.get("/staff/verify").text  # the page says what owner does
