"""Order pages: each viewer sees only the actions the order's state allows them, contact only
for its parties, and staff pages stay with staff."""
import pytest

from tests.matching.factories import add_skills
from tests.orders.factories import make_neighbourhood, order_in
from tests.shell.test_pages import sign_in

ALL_ACTIONS = ("accept", "start", "complete", "confirm", "cancel", "withdraw")


def actions_on(page):
    """The data-action buttons a page offers."""
    return {action for action in ALL_ACTIONS if f'data-action="{action}"' in page}


@pytest.mark.parametrize(("status", "who", "actions", "contact"), [
    ("open", "requester", {"cancel"}, False),
    ("open", "other", {"accept"}, False),
    ("open", "staff", {"cancel"}, True),
    ("accepted", "helper", {"start", "withdraw"}, True),
    ("accepted", "requester", {"cancel"}, False),
    ("accepted", "other", set(), False),
    ("in_progress", "helper", {"complete"}, True),
    ("completed", "requester", {"confirm"}, False),
    ("completed", "helper", set(), True),
    ("confirmed", "requester", set(), False),
    ("cancelled", "other", set(), False),
])
def test_order_page_offers_only_the_allowed_actions(client, db, status, who, actions, contact):
    hood = make_neighbourhood()
    order = order_in(status, hood)
    viewer = getattr(hood, who)
    db.session.commit()
    sign_in(client, viewer.username)
    page = client.get(f"/orders/{order.id}")
    assert page.status_code == 200
    assert actions_on(page.text) == actions
    assert ('data-testid="contact"' in page.text) is contact  # the requester's own: not shown
    assert f'data-order-id="{order.id}"' in page.text and 'data-version="' in page.text


def test_home_and_orders_pages_show_suggestions_and_the_board(client, db):
    hood = make_neighbourhood()
    add_skills(hood.helper, "repair")
    order = order_in("open", hood)
    db.session.commit()
    sign_in(client, hood.helper.username)
    for path in ("/", "/orders"):
        page = client.get(path).text
        suggestions = page.split('data-testid="suggestions"')[1].split("</section>")[0]
        assert f'data-order-id="{order.id}"' in suggestions
        assert f'data-community-id="{hood.community.id}"' in page


def test_new_order_page_has_tag_chips_and_staff_choose_the_resident(client, db):
    hood = make_neighbourhood()
    db.session.commit()
    sign_in(client, hood.staff.username)
    page = client.get("/orders/new").text
    assert 'value="repair.plumbing" data-type="list"' in page
    assert f'<option value="{hood.requester.id}">' in page


def test_me_page_shows_credits_and_thanks_board(client, db):
    hood = make_neighbourhood()
    order_in("confirmed", hood)
    db.session.commit()
    sign_in(client, hood.helper.username)
    page = client.get("/me").text
    assert "45 分钟" in page.split('data-testid="credits-balance"')[1][:40]
    assert "本月感谢榜" in page


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/visits"])
def test_staff_pages_are_for_staff(client, db, path):
    hood = make_neighbourhood(vulnerable=True, vetted_helper=True)
    visit = order_in("accepted", hood)
    db.session.commit()
    sign_in(client, hood.other.username)
    assert client.get(path).status_code == 403
    client.post("/logout", data={})
    staff = client.application.test_client()
    sign_in(staff, hood.staff.username)
    page = staff.get(path)
    assert page.status_code == 200
    if path == "/staff/visits":
        assert f'data-order-id="{visit.id}"' in page.text and "13800000001" in page.text


@pytest.mark.parametrize(("vulnerable", "vetted", "hint"), [
    (True, False, "关爱对象"), (False, False, None), (True, True, None)])
def test_open_order_explains_why_a_neighbour_cannot_accept(client, db, vulnerable, vetted, hint):
    hood = make_neighbourhood(vulnerable=vulnerable, vetted_helper=vetted)
    order = order_in("open", hood)
    db.session.commit()
    sign_in(client, hood.helper.username)
    page = client.get(f"/orders/{order.id}").text
    assert ('data-testid="accept-hint"' in page) is (hint is not None)
    assert ('data-action="accept"' in page) is (hint is None)
    if hint:
        assert hint in page
