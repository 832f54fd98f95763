"""Appeal pages: each viewer sees the steps they may take, names and photos only where
allowed, and the boards for anyone."""
import pytest

from mutualaid.core.database import utcnow

from mutualaid.appeals import photos
from tests.appeals.factories import appeal_in, file, make_street, png
from tests.shell.test_pages import sign_in

ALL_ACTIONS = ("accept", "start", "resolve", "reject", "escalate", "merge", "rate", "follow")


def actions_on(page):
    return {action for action in ALL_ACTIONS if f'data-action="{action}"' in page}


@pytest.mark.parametrize(("status", "who", "actions"), [
    ("submitted", "worker", {"accept", "reject", "escalate", "merge", "follow"}),
    ("submitted", "neighbour", {"follow"}),
    ("submitted", "appellant", set()),
    ("submitted", "street_staff", {"follow"}),
    ("accepted", "staff", {"start", "escalate", "merge", "follow"}),
    ("in_progress", "worker", {"resolve", "escalate", "merge", "follow"}),
    ("resolved", "appellant", {"rate"}),
    ("resolved", "worker", {"follow"}),
    ("closed", "appellant", set()),
])
def test_appeal_page_offers_only_the_allowed_steps(client, db, status, who, actions):
    place = make_street()
    appeal = appeal_in(status, place, now=utcnow())  # the page checks time limits
    db.session.commit()
    sign_in(client, getattr(place, who).username)
    page = client.get(f"/appeals/{appeal.id}")
    assert page.status_code == 200
    assert actions_on(page.text) == actions


def test_names_and_photos_only_for_the_appellant_and_staff(client, db):
    place = make_street()
    appeal = file(place, anonymous=True, now=utcnow())
    photos.add_photo(place.appellant, appeal, png())
    db.session.commit()
    name = place.appellant.display_name
    for who, shown in (("appellant", True), ("staff", True), ("neighbour", False)):
        sign_in(client, getattr(place, who).username)
        page = client.get(f"/appeals/{appeal.id}").text
        assert (name in page) is shown
        assert ('data-testid="appeal-photo"' in page) is shown
        client.post("/logout")


def test_pages_render(client, db):
    place = make_street()
    appeal_in("closed", place, now=utcnow())
    file(place, now=utcnow())
    db.session.commit()
    for path, chart in ((f"/appeals/board/community/{place.community.id}", True),
                        (f"/appeals/board/street/{place.street.id}", True),
                        (f"/appeals/board/community/{place.community.id}?from=2020-11-01"
                         "&to=2020-11-30", False)):
        page = client.get(path)
        assert page.status_code == 200 and ("<svg" in page.text) is chart
        assert place.appellant.display_name not in page.text
    assert client.get("/appeals/board/street/999").status_code == 404
    assert client.get(f"/appeals/board/community/{place.community.id}?from=x").status_code == 400
    sign_in(client, place.appellant.username)
    assert client.get("/appeals/").status_code == 200
    assert 'name="building_id"' in client.get("/appeals/new").text
    assert client.get("/appeals/staff").status_code == 403
    client.post("/logout")
    for who in ("staff", "worker", "street_staff"):
        sign_in(client, getattr(place, who).username)
        assert client.get("/appeals/staff").status_code == 200
        client.post("/logout")
    sign_in(client, place.staff.username)
    assert 'name="on_behalf_of"' in client.get("/appeals/new").text
