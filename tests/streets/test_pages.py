"""Staff pages for streets and grids: each shows what the viewer keeps, forms only to those
who may send them, and an empty state when there is nothing yet."""
from mutualaid.streets import domain
from tests.appeals.factories import make_street
from tests.factories import make_building, make_community, make_staff, make_user
from tests.shell.test_pages import sign_in


def page(client, user, path):
    """The page at ``path`` as ``user`` sees it."""
    client.post("/logout")
    sign_in(client, user.username)
    return client.get(path)


def test_the_admin_keeps_every_street_and_street_staff_see_their_own(client, db):
    place = make_street()
    other = make_community("Lianhua")
    domain.create_street(place.admin, "Empty street")
    make_user(role="staff", display_name="Officer Wang")
    admin_page = page(client, place.admin, "/staff/streets").text
    assert 'data-api="/api/v1/streets"' in admin_page
    assert f'data-api="/api/v1/streets/{place.street.id}/communities"' in admin_page
    assert f'<option value="{other.id}">Lianhua</option>' in admin_page
    assert "Officer Wang" in admin_page and "data-confirm=" in admin_page
    assert place.street_staff.display_name in admin_page
    own = page(client, place.street_staff, "/staff/streets").text
    assert place.street.name in own and "Empty street" not in own
    assert 'data-api="/api/v1/streets' not in own
    nobody = page(client, place.staff, "/staff/streets")
    assert nobody.status_code == 200 and 'class="empty"' in nobody.text
    assert page(client, place.appellant, "/staff/streets").status_code == 403


def test_community_staff_keep_the_grids_of_their_communities(client, db):
    place = make_street()
    spare = make_building(place.community, "L9")
    elsewhere = make_community("Elsewhere")
    grids = page(client, place.staff, "/staff/grids").text
    assert "Grid 1" in grids and place.worker.display_name in grids
    form = f'data-api="/api/v1/communities/{place.community.id}/grids"'
    assert form in grids and f'value="{spare.id}"' in grids
    assert f'value="{place.gridded.id}" data-type="int-list"' not in grids  # in Grid 1
    assert f"/communities/{elsewhere.id}/grids" not in grids
    edit = page(client, place.staff, f"/staff/grids/{place.grid.id}").text
    assert f'data-api="/api/v1/grids/{place.grid.id}"' in edit and "data-confirm=" in edit
    assert f'value="{place.gridded.id}" data-type="int-list" checked' in edit
    assert f'name="worker_ids" value="{place.worker.id}" data-type="int-list" checked' in edit
    outsider = make_staff(elsewhere)
    assert page(client, outsider, f"/staff/grids/{place.grid.id}").status_code == 403
    assert 'class="empty"' in page(client, outsider, "/staff/grids").text
    assert page(client, place.worker, "/staff/grids").status_code == 403


def test_the_staff_desk_links_the_new_pages(client, db):
    place = make_street()
    desk = page(client, place.staff, "/staff/").text
    assert 'href="/staff/grids"' in desk and 'href="/staff/streets"' in desk
    limits = page(client, place.street_staff, "/appeals/staff").text
    assert f'data-api="/api/v1/streets/{place.street.id}/appeal-limits"' in limits
