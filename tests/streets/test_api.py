"""Grids through the API: made and changed by the community's staff, with field errors for
what a grid may not hold and nothing changed by a refused request."""
import pytest

from mutualaid.streets import domain
from tests.appeals.factories import make_street


@pytest.fixture
def place(db):
    return make_street()


def test_make_and_change_a_grid(api, place):
    staff = api(place.staff)
    made = staff.post(f"/communities/{place.community.id}/grids", {
        "name": "Grid 2", "building_ids": [place.loose.id, place.loose.id],
        "worker_ids": [place.neighbour.id]})
    assert made.status_code == 201
    assert made.json == {"id": made.json["id"], "community_id": place.community.id,
                         "name": "Grid 2", "building_ids": [place.loose.id],
                         "worker_ids": [place.neighbour.id]}
    path = f"/grids/{made.json['id']}"
    renamed = staff.patch(path, {"name": "North", "worker_ids": [place.worker.id,
                                                                   place.neighbour.id]})
    assert renamed.status_code == 200
    assert renamed.json["name"] == "North" and renamed.json["building_ids"] == [place.loose.id]
    assert renamed.json["worker_ids"] == sorted([place.worker.id, place.neighbour.id])


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"name": "Grid 1"}, 409, "name"),
    ({"building_ids": []}, 400, "building_ids"),
    ({"building_ids": ["1"]}, 400, "building_ids"),
    ({"worker_ids": [999999]}, 404, None),
    ({"name": ""}, 400, "name"),
])
def test_bad_changes_are_refused(api, place, body, status, field):
    grid = domain.create_grid(place.staff, place.community, "Grid 2", [place.loose.id],
                              [place.neighbour.id])
    answer = api(place.staff).patch(f"/grids/{grid.id}", body)
    assert answer.status_code == status
    if field:
        assert field in answer.json["error"]["fields"]
    assert domain.grid_members([grid.id]) == ({grid.id: {place.loose.id}},
                                              {grid.id: {place.neighbour.id}})
    assert grid.name == "Grid 2"


def test_only_the_community_staff_change_a_grid(api, place):
    for who, status in (("worker", 403), ("street_staff", 403), ("appellant", 403)):
        answer = api(getattr(place, who)).patch(f"/grids/{place.grid.id}", {"name": "X"})
        assert answer.status_code == status
    assert api().patch(f"/grids/{place.grid.id}", {"name": "X"}).status_code == 401
    assert api(place.staff).patch("/grids/999999", {"name": "X"}).status_code == 404
