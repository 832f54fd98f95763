"""Notifications without HTTP: rows first, texts in the reader's language, deliveries by
settings and quiet hours, order triggers and order.nearby's daily cap."""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from mutualaid.core.extensions import db
from mutualaid.notifications import domain
from mutualaid.notifications.kinds import render
from mutualaid.notifications.models import Delivery, Notification, PushSubscription
from mutualaid.orders import domain as orders
from mutualaid.orders.notices import notify_nearby
from mutualaid.realtime.outbox import pending
from tests.factories import make_unit, make_user
from tests.orders.factories import make_neighbourhood, make_order, order_in

NOON = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
NIGHT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai


def _subscribe(user):
    db.session.add(PushSubscription(user_id=user.id, p256dh="k", auth="a",
                                    endpoint=f"https://fcm.googleapis.com/{user.id}"))
    db.session.flush()


def _deliveries(user):
    return db.session.execute(sa.select(Delivery.channel, Delivery.due_at).join(Notification)
                              .where(Notification.user_id == user.id)).all()


def test_a_notice_is_a_row_announced_to_the_users_room(app):
    user = make_user()
    rows = domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1", now=NOON)
    assert [(r.user_id, r.kind, r.params, r.url) for r in rows] == [
        (user.id, "vote.opened", {"title": "Lift"}, "/votes/1")]
    event, payload, rooms = pending()[-1]
    assert (event, rooms) == ("notification.created", [f"user:{user.id}"])
    assert payload["id"] == rows[0].id and payload["kind"] == "vote.opened"
    assert "Lift" in payload["body"] and payload["url"] == "/votes/1"
    assert domain.unread_count(user) == 1


def test_notify_each_returns_its_rows_in_order_and_announces_each(app):
    first, second = make_user(), make_user(locale="en")
    notices = [([first, second], {"title": "Lift"}, "/votes/1"),
               ([second], {"title": "Roof"}, "/votes/1"),  # same user and url, other params
               ([first], {"title": "Lift"}, "/votes/1")]  # the very same notice again
    rows = domain.notify_each("vote.opened", notices, now=NOON)
    assert [(row.user_id, row.params["title"]) for row in rows] == [
        (first.id, "Lift"), (second.id, "Lift"), (second.id, "Roof"), (first.id, "Lift")]
    stored = {row.id: (row.user_id, row.params) for row in db.session.scalars(
        sa.select(Notification))}
    assert len(stored) == 4 and all(stored[row.id] == (row.user_id, row.params) for row in rows)
    announced = [(rooms, payload["id"], payload["body"]) for event, payload, rooms in pending()
                 if event == "notification.created"]
    assert [(rooms, row_id) for rooms, row_id, _body in announced] == [
        ([f"user:{row.user_id}"], row.id) for row in rows]
    english = render(rows[2], "en")[1]
    assert announced[2][2] == english and "Roof" in english


def test_texts_rendered_together_are_those_rendered_one_by_one(app):
    from types import SimpleNamespace

    from mutualaid.notifications.kinds import render_all

    rows = [SimpleNamespace(kind=kind, params=params) for kind, params in (
        ("appeal.updated", {"title": "Bins", "step": "escalated"}),
        ("appeal.updated", {"title": "Lamp", "step": "closed"}),
        ("vote.closed", {"title": "Lift", "result": "passed"}),
        ("order.accepted", {"title": "Tap", "helper": "Li"}))]
    pairs = [(row, locale) for row in rows + rows[:1] for locale in ("zh_CN", "en")]
    assert render_all(pairs) == [render(row, locale) for row, locale in pairs]


def test_texts_render_in_the_readers_language_when_read(app):
    user = make_user()
    row = domain.notify([user], "order.accepted", {"title": "Tap", "helper": "Li"},
                        "/orders/3")[0]
    assert render(row, "en") == ("Your need was accepted", "Li will help with “Tap”.")
    title, body = render(row, "zh_CN")
    assert title != "Your need was accepted" and "Li" in body and "Tap" in body


def test_unknown_kinds_and_foreign_urls_are_refused(app):
    user = make_user()
    with pytest.raises(ValueError):
        domain.notify([user], "order.exploded", {}, "/orders/1")
    with pytest.raises(ValueError):
        domain.notify([user], "order.accepted", {}, "https://evil.example/")


def test_deliveries_follow_channels_kinds_and_quiet_hours(app):
    subscribed, texting, quiet_off, nothing = (make_user() for _ in range(4))
    for user in (subscribed, quiet_off):
        _subscribe(user)
    domain.update_settings(texting, {"sms": True, "push": False})
    domain.update_settings(quiet_off, {"quiet_hours": None, "kinds": {"vote.opened": True}})
    domain.update_settings(nothing, {"kinds": {"vote.opened": False}, "sms": True})
    domain.notify([subscribed, texting, quiet_off, nothing], "vote.opened", {"title": "Lift"},
                  "/votes/1", now=NIGHT)
    morning = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 07:00 the next day in Shanghai
    assert _deliveries(subscribed) == [("push", morning)]
    assert _deliveries(texting) == [("sms", morning)]
    assert _deliveries(quiet_off) == [("push", NIGHT)]
    assert _deliveries(nothing) == []
    assert domain.unread_count(nothing) == 1  # the inbox row is always written


def test_settings_merge_what_they_are_given(app):
    user = make_user()
    assert domain.settings_of(user)["quiet_start"] == "22:00"
    domain.update_settings(user, {"kinds": {"order.nearby": False}})
    domain.update_settings(user, {"kinds": {"vote.opened": False}, "audiences": ["elderly"]})
    settings = domain.settings_of(user)
    assert settings["kinds"] == {"order.nearby": False, "vote.opened": False}
    assert settings["audiences"] == ["elderly"] and settings["push"] is True


def test_mark_read_by_ids_ignores_others_and_all_reads_everything(app):
    me, other = make_user(), make_user()
    mine = domain.notify([me], "vote.opened", {"title": "A"}, "/votes/1")
    domain.notify([me], "vote.opened", {"title": "B"}, "/votes/2")
    theirs = domain.notify([other], "vote.opened", {"title": "A"}, "/votes/1")
    assert domain.mark_read(me, [mine[0].id, theirs[0].id]) == 1
    assert domain.unread_count(other) == 1
    assert domain.mark_read(me, everything=True) == 0


def test_order_steps_notify_the_other_party(app):
    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    kinds = db.session.execute(sa.select(Notification.user_id, Notification.kind)
                               .where(Notification.kind.like("order.%"),
                                      Notification.kind != "order.nearby")
                               .order_by(Notification.id)).all()
    assert kinds == [(hood.requester.id, "order.accepted"), (hood.requester.id, "order.started"),
                     (hood.requester.id, "order.completed"), (hood.helper.id, "order.confirmed")]
    again = make_order(hood.requester)
    orders.accept_order(hood.helper, again)
    orders.withdraw_from_order(hood.helper, again)
    orders.accept_order(hood.other, again)
    orders.cancel_order(hood.requester, again)
    last = db.session.execute(sa.select(Notification.user_id, Notification.kind)
                              .where(Notification.url == f"/orders/{again.id}")
                              .order_by(Notification.id)).all()[-2:]
    assert last == [(hood.requester.id, "order.accepted"), (hood.other.id, "order.cancelled")]


def test_order_nearby_reaches_candidates_at_most_five_a_day(app):
    hood = make_neighbourhood()
    from mutualaid.matching import domain as matching

    matching.set_skills(hood.helper, ["repair"], 1000)
    orders_made = [make_order(hood.requester, title=f"Need {i}") for i in range(7)]
    for order in orders_made:
        notify_nearby(order.id, now=NOON)
    nearby = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "order.nearby", Notification.user_id == hood.helper.id)).all()
    assert len(nearby) == 5
    assert [n.params["order_id"] for n in nearby] == [o.id for o in orders_made[:5]]
    assert notify_nearby(orders_made[6].id, now=NOON + timedelta(days=1))


def test_audiences_choose_who_hears_of_a_service(app):
    hood = make_neighbourhood()
    domain.update_settings(hood.other, {"audiences": ["elderly"]})
    everyone = set(domain.users_in_audience("everyone", hood.community.id))
    assert {hood.requester.id, hood.helper.id, hood.other.id} <= everyone
    assert domain.users_in_audience("elderly", hood.community.id) == [hood.other.id]
    outsider = make_user(verified=True, unit=make_unit())
    assert outsider.id not in everyone
