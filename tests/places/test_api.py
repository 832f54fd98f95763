"""Places API: communities, buildings, units with exact areas, owners of record."""
import pytest

from tests.factories import make_building, make_community, make_staff, make_unit, make_user


def test_admin_creates_community_and_everyone_lists_it(api):
    admin = make_user(role="admin")
    resident = make_user()
    created = api(admin).post("/communities", {"name": "岭南社区"})
    assert created.status_code == 201
    assert created.json == {"id": created.json["id"], "name": "岭南社区"}
    listed = api(resident).get("/communities").json
    assert listed["items"] == [created.json]
    assert (listed["page"], listed["pages"], listed["total"]) == (1, 1, 1)


def test_duplicate_community_conflicts(api):
    admin = make_user(role="admin")
    make_community("Same")
    response = api(admin).post("/communities", {"name": "Same"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "duplicate"


def test_staff_add_building_and_units_with_exact_areas(api):
    community = make_community()
    staff = make_staff(community)
    client = api(staff)
    building = client.post(f"/communities/{community.id}/buildings",
                           {"name": "B", "lat": 23.0215, "lon": 113.115}).json
    assert building["community_id"] == community.id
    first = client.post(f"/buildings/{building['id']}/units",
                        {"number": "1203", "floor_area_m2": "33.33"})
    second = client.post(f"/buildings/{building['id']}/units",
                         {"number": "1204", "floor_area_m2": 33.3})
    assert first.status_code == second.status_code == 201
    assert first.json["floor_area_m2"] == "33.33" and first.json["floor"] == 12
    assert second.json["floor_area_m2"] == "33.30"
    units = client.get(f"/buildings/{building['id']}/units").json["items"]
    assert [u["number"] for u in units] == ["1203", "1204"]


@pytest.mark.parametrize("area", ["0", "-5", "33.333", "abc", "NaN", "Infinity", True, None, [],
                                  "100000.01"])
def test_unit_with_bad_area_is_refused(api, area):
    building = make_building()
    staff = make_staff(building.community)
    response = api(staff).post(f"/buildings/{building.id}/units",
                               {"number": "101", "floor_area_m2": area})
    assert response.status_code == 400
    assert "floor_area_m2" in response.json["error"]["fields"]


def test_staff_of_another_community_cannot_add_units(api):
    building = make_building()
    outsider = make_staff()
    response = api(outsider).post(f"/buildings/{building.id}/units",
                                  {"number": "101", "floor_area_m2": "50"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_set_and_clear_owner_of_record(api, db):
    unit = make_unit()
    staff = make_staff(unit.building.community)
    owner = make_user()
    client = api(staff)
    response = client.post(f"/units/{unit.id}/owner", {"user_id": owner.id})
    assert response.json["owner"] == {"id": owner.id, "display_name": owner.display_name}
    assert client.post(f"/units/{unit.id}/owner", {"user_id": None}).json["owner"] is None


def test_unknown_and_overflowing_ids_are_404(api):
    staff = make_staff()
    client = api(staff)
    assert client.get("/buildings/999/units").status_code == 404
    assert client.get(f"/buildings/{2**64}/units").status_code == 404
    response = client.post("/units/99999999999999999999999/owner", {"user_id": 1})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_residents_cannot_list_units(api):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    assert api(resident).get(f"/buildings/{unit.building_id}/units").status_code == 403
