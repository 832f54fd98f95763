"""Streets and grids without HTTP: who makes them, and what a grid may hold."""
import pytest

from mutualaid.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mutualaid.streets import domain
from tests.appeals.factories import make_street
from tests.factories import make_building, make_community, make_unit, make_user


def test_admins_make_streets_and_move_communities_between_them(db):
    place = make_street()
    with pytest.raises(Forbidden):
        domain.create_street(place.staff, "Other")
    with pytest.raises(Conflict):
        domain.create_street(place.admin, "Zumiao")
    other = domain.create_street(place.admin, "Other")
    domain.add_community(place.admin, other, place.community)
    assert domain.street_id_of(place.community.id) == other.id
    assert domain.street_community_ids(place.street.id) == set()
    assert domain.street_staff_community_ids(place.street_staff) == set()


def test_street_staff_become_staff_of_the_street_only(db):
    place = make_street()
    resident = make_user()
    domain.add_street_staff(place.admin, place.street, resident)
    assert resident.role == "staff"
    assert domain.is_street_staff_of(resident, place.street.id)
    assert domain.street_staff_community_ids(resident) == {place.community.id}
    with pytest.raises(Forbidden):
        domain.add_street_staff(place.staff, place.street, make_user())


def test_what_a_grid_may_hold(db):
    place = make_street()
    elsewhere = make_building(make_community())
    outsider = make_user(verified=True, unit=make_unit(elsewhere, "101"))
    cases = [
        (Conflict, {"building_ids": [place.gridded.id]}),  # already in Grid 1
        (ValidationFailed, {"building_ids": [elsewhere.id]}),
        (NotFound, {"building_ids": [999999]}),
        (ValidationFailed, {"worker_ids": [outsider.id]}),
        (NotFound, {"worker_ids": [999999]}),
        (Conflict, {"name": "Grid 1"}),
    ]
    for error, change in cases:
        data = {"name": "Grid 2", "building_ids": [place.loose.id],
                "worker_ids": [place.neighbour.id]} | change
        with pytest.raises(error):
            domain.create_grid(place.staff, place.community, **data)
    with pytest.raises(Forbidden):
        domain.create_grid(place.worker, place.community, "Grid 2", [place.loose.id],
                           [place.neighbour.id])
    grid = domain.create_grid(place.staff, place.community, "Grid 2", [place.loose.id],
                              [place.neighbour.id])
    assert domain.grid_of_building(place.loose.id) == grid.id
    assert domain.worker_grid_ids(place.neighbour) == {grid.id}


def test_a_grid_is_renamed_and_given_other_buildings_and_workers(db):
    place = make_street()
    second = domain.create_grid(place.staff, place.community, "Grid 2", [place.loose.id],
                                [place.neighbour.id])
    with pytest.raises(Conflict):
        domain.update_grid(place.staff, place.grid, name="Grid 2")
    with pytest.raises(Conflict):  # the loose building is Grid 2's
        domain.update_grid(place.staff, place.grid, building_ids=[place.loose.id])
    with pytest.raises(Forbidden):
        domain.update_grid(place.worker, place.grid, name="Mine")
    domain.update_grid(place.staff, place.grid, name="Grid 1")  # its own name is no clash
    domain.update_grid(place.staff, second, name="North", building_ids=[place.loose.id],
                       worker_ids=[place.worker.id])
    assert second.name == "North" and domain.grid_members([second.id]) == (
        {second.id: {place.loose.id}}, {second.id: {place.worker.id}})
    assert domain.worker_grid_ids(place.neighbour) == set()
    domain.update_grid(place.staff, place.grid, building_ids=[place.gridded.id])
    assert domain.grid_of_building(place.gridded.id) == place.grid.id


def test_who_may_be_chosen_as_a_grid_worker(db):
    place = make_street()
    spare = make_user(role="staff", display_name="Spare hand")  # serves nowhere yet
    names = {user.display_name for user in domain.worker_candidates(place.community.id)}
    assert names == {place.staff.display_name, place.worker.display_name, "Spare hand"}
    residents = domain.resident_candidates(place.community.id)
    assert {place.appellant, place.neighbour, place.worker} <= set(residents)
    assert spare not in residents and place.staff not in residents
