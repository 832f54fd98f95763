"""Live pages: they load the live module, name their rooms, mark the parts that refresh and
the versions they show; other pages stay quiet."""
import re

import pytest

from tests.factories import make_user
from tests.orders.factories import make_neighbourhood, make_order
from tests.shell.test_pages import sign_in

LIVE_SCRIPT = "/static/js/live.js"


def page(client, path):
    """The HTML of ``path`` (200 expected)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_order_page_follows_its_order(client, db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    order_id, version, username = order.id, order.version, hood.requester.username
    db.session.commit()  # (reading after the commit would hold SQLite's write lock)
    sign_in(client, username)
    html = page(client, f"/orders/{order_id}")
    assert LIVE_SCRIPT in html
    assert f'data-live-rooms="order:{order_id}"' in html
    assert f'data-live-refresh="order.updated:{order_id}"' in html
    assert f'data-live-entity="order.updated:{order_id}" data-live-version="{version}"' in html
    indicator = re.search(r"<p class=\"conn\"[^>]*>", html).group(0)
    assert 'role="status"' in indicator and 'data-live-indicator' in indicator
    for state in ("online", "offline", "reconnecting", "connecting"):
        assert f"data-text-{state}=" in indicator


@pytest.mark.parametrize("path, parts", [
    ("/", ["home-mine-orders", "home-live-board"]),
    ("/orders", ["my-orders", "community-board"]),
])
def test_boards_refresh_on_order_events(client, db, path, parts):
    username = make_neighbourhood().other.username
    db.session.commit()
    sign_in(client, username)
    html = page(client, path)
    assert LIVE_SCRIPT in html and 'data-live-rooms=""' in html
    for part in parts:
        assert re.search(rf'id="{part}" data-live-refresh="order\.', html), part


def test_pages_that_are_not_live_open_no_socket(client, db):
    username = make_user(verified=True).username
    db.session.commit()
    sign_in(client, username)
    html = page(client, "/me")
    assert LIVE_SCRIPT not in html and "data-live-indicator" not in html
