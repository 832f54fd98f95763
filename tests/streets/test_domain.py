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
