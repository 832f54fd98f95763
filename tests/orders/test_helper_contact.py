"""``helper_contact``: the requester and staff can reach the helper once the order is accepted."""
import pytest

from tests.factories import make_staff
from tests.orders.factories import make_neighbourhood, order_in
from tests.accounts.test_api import sign_in


@pytest.mark.parametrize(("status", "who", "shown"), [
    ("open", "requester", False),
    ("accepted", "requester", True),
    ("in_progress", "staff", True),
    ("confirmed", "requester", True),
    ("accepted", "helper", False),
    ("accepted", "other", False),
    ("cancelled", "requester", False),
])
def test_helper_contact_only_for_requester_and_staff_once_accepted(api, status, who, shown):
    hood = make_neighbourhood()
    hood.helper.phone = "13900000009"
    order = order_in(status, hood)
    body = api(getattr(hood, who)).get(f"/orders/{order.id}").json
    expected = {"display_name": hood.helper.display_name, "phone": "13900000009"}
    assert body["helper_contact"] == (expected if shown else None)


def test_staff_of_another_community_do_not_see_the_helper(api):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    assert api(make_staff()).get(f"/orders/{order.id}").status_code == 404


def test_a_helper_who_does_not_share_their_phone_shows_only_the_name(api):
    hood = make_neighbourhood()
    hood.helper.share_phone = False
    order = order_in("accepted", hood)
    body = api(hood.requester).get(f"/orders/{order.id}").json
    assert body["helper_contact"] == {"display_name": hood.helper.display_name, "phone": None}


def test_live_payloads_carry_no_helper_contact(db):
    from mutualaid.orders.publish import public_payload

    hood = make_neighbourhood()
    assert public_payload(order_in("accepted", hood))["helper_contact"] is None


def test_the_requester_page_shows_the_helper_name_and_phone(client, db):
    hood = make_neighbourhood()
    hood.helper.phone = "13900000009"
    order = order_in("accepted", hood)
    db.session.commit()
    sign_in(client, hood.requester.username)
    page = client.get(f"/orders/{order.id}").text
    assert 'data-testid="helper-contact"' in page and "13900000009" in page
    assert 'data-testid="contact"' not in page
