"""The grid and street pages' queries on PostgreSQL (the scale-out database)."""
import pytest

from mutualaid.streets import domain
from tests.appeals.factories import make_street
from tests.factories import make_user
from tests.shell.test_pages import sign_in


@pytest.mark.postgres
def test_grid_choices_and_pages_on_postgresql(postgres_app):
    place = make_street()
    spare = make_user(role="staff", display_name="Spare hand")
    domain.update_grid(place.staff, place.grid, building_ids=[place.gridded.id, place.loose.id],
                       worker_ids=[place.worker.id, spare.id])
    assert spare in domain.worker_candidates(place.community.id)
    assert domain.grid_members([place.grid.id])[0] == {place.grid.id: {place.gridded.id,
                                                                       place.loose.id}}
    client = postgres_app.test_client()
    sign_in(client, place.admin.username)
    streets = client.get("/staff/streets")
    assert streets.status_code == 200 and "Spare hand" in streets.text
    grids = client.get("/staff/grids")
    assert grids.status_code == 200 and "Spare hand" in grids.text
    assert client.get(f"/staff/grids/{place.grid.id}").status_code == 200
