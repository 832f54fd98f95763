"""Texts the system writes into orders are stored as codes and shown in the reader's language."""
import pytest

from mutualaid.core.extensions import db
from tests.accounts.test_api import sign_in
from tests.orders.factories import make_neighbourhood, make_order


@pytest.mark.parametrize(("lang", "title", "note"), [
    ("zh_CN", "水管维修", "在共享小屋平板上发布。"),
    ("en", "Plumbing", "Posted at the share-hut kiosk."),
])
def test_a_kiosk_need_reads_in_the_readers_language(client, lang, title, note):
    hood = make_neighbourhood()
    order = make_order(hood.requester, title="@tag:repair.plumbing", description="@kiosk")
    db.session.commit()
    client.set_cookie("lang", lang)
    sign_in(client, hood.other.username)
    page = client.get(f"/orders/{order.id}").text
    assert f"<h1>{title}</h1>" in page and note in page and "@tag:" not in page
    assert title in client.get("/orders").text


def test_a_title_that_only_looks_like_a_code_stays_as_written(client):
    hood = make_neighbourhood()
    order = make_order(hood.requester, title="@tag:no.such.tag")
    db.session.commit()
    sign_in(client, hood.other.username)
    assert "<h1>@tag:no.such.tag</h1>" in client.get(f"/orders/{order.id}").text
