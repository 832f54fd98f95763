"""Conversation rules without HTTP: who, when, read state, reports, hidden messages."""
from datetime import timedelta

import pytest

from mutualaid.conversation import domain
from mutualaid.core.errors import Conflict, Forbidden
from mutualaid.core.extensions import db
from mutualaid.notifications.models import Notification
from mutualaid.orders import domain as orders
from mutualaid.orders import reports
from mutualaid.orders.domain import events_of
from mutualaid.realtime.outbox import pending
from tests.orders.factories import make_neighbourhood, make_order, order_in


def test_requester_helper_and_staff_talk_once_the_order_is_accepted(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    first = domain.post_message(hood.requester, order, "The tap is under the sink.")
    second = domain.post_message(hood.helper, order, "I come at six.")
    third = domain.post_message(hood.staff, order, "Staff here: all fine?")
    listed = db.session.scalars(domain.messages_select(hood.requester, order)).all()
    assert [m.id for m in listed] == [first.id, second.id, third.id]
    after = db.session.scalars(domain.messages_select(hood.helper, order, after=first.id)).all()
    assert [m.body for m in after] == ["I come at six.", "Staff here: all fine?"]


def test_before_acceptance_and_for_others_it_is_forbidden(app):
    hood = make_neighbourhood()
    open_order = make_order(hood.requester)
    with pytest.raises(Forbidden) as error:
        domain.post_message(hood.requester, open_order, "Anyone?")
    assert error.value.code == "not_accepted"
    accepted = order_in("accepted", hood)
    with pytest.raises(Forbidden):
        domain.post_message(hood.other, accepted, "Me too")
    with pytest.raises(Forbidden):
        domain.messages_select(hood.other, accepted)


def test_the_conversation_closes_seven_days_after_the_order_ends(app, wall_clock):
    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    ended = events_of(order)[-1].at
    wall_clock.set(ended + timedelta(days=6))
    said = domain.post_message(hood.helper, order, "Glad to help")
    assert db.session.scalars(domain.messages_select(hood.requester, order)).all() == [said]
    assert domain.unread_count(hood.requester) == 1
    wall_clock.set(ended + timedelta(days=7))
    for who in (hood.requester, hood.helper, hood.staff):  # reading closes with writing
        for attempt in (lambda: domain.post_message(who, order, "Hello?"),
                        lambda: domain.messages_select(who, order),
                        lambda: domain.mark_read(who, order, said.id)):
            with pytest.raises(Conflict) as error:
                attempt()
            assert error.value.code == "conversation_closed"
    assert domain.unread_count(hood.requester) == 0  # nothing left that could be read
    with pytest.raises(Forbidden):
        domain.messages_select(hood.other, order)  # others: still not theirs to know


def test_a_message_is_announced_on_the_order_room_and_notifies_the_other_party(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    db.session.commit()
    message = domain.post_message(hood.helper, order, "On my way")
    events = [(event, rooms) for event, _payload, rooms in pending()]
    assert ("message.created", [f"order:{order.id}", f"user:{hood.requester.id}"]) in events
    payload = next(p for e, p, _r in pending() if e == "message.created")
    assert payload["id"] == message.id and payload["version"] == 1
    assert payload["author"] == {"id": hood.helper.id, "display_name": hood.helper.display_name}
    notices = db.session.scalars(db.select(Notification).where(
        Notification.kind == "order.message")).all()
    assert [n.user_id for n in notices] == [hood.requester.id]


def test_staff_hear_of_messages_only_once_they_have_written(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    assert domain.recipients_of(order, exclude=hood.helper.id) == [hood.requester.id]
    domain.post_message(hood.staff, order, "Staff here")
    assert domain.recipients_of(order, exclude=hood.helper.id) == sorted(
        [hood.requester.id, hood.staff.id])


def test_several_unread_messages_share_one_notification(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    for text in ("one", "two", "three"):
        domain.post_message(hood.helper, order, text)
    count = db.session.scalar(db.select(db.func.count(Notification.id)).where(
        Notification.kind == "order.message", Notification.user_id == hood.requester.id))
    assert count == 1


def test_unread_counts_others_messages_until_marked_read(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    domain.post_message(hood.requester, order, "mine")
    second = domain.post_message(hood.helper, order, "theirs 1")
    third = domain.post_message(hood.helper, order, "theirs 2")
    assert domain.unread_count(hood.requester) == 2
    assert domain.unread_count(hood.helper) == 0  # writing reads what came before
    assert domain.mark_read(hood.requester, order, second.id) == 1
    assert domain.mark_read(hood.requester, order, second.id - 1) == 1  # never back
    assert domain.mark_read(hood.requester, order, third.id) == 0
    assert domain.unread_count(hood.other) == 0


def test_a_reported_message_hidden_by_staff_leaves_residents_view(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    message = domain.post_message(hood.helper, order, "Something rude")
    report = domain.report_message(hood.requester, message, "Rude")
    with pytest.raises(Conflict):
        domain.report_message(hood.requester, message, "Again")
    order_report = reports.report_order(hood.requester, order, "The order too")
    assert order_report.id != report.id
    with pytest.raises(Forbidden):
        reports.resolve_report(hood.helper, report, hide=True)
    reports.resolve_report(hood.staff, report, hide=True, note="Removed")
    assert (report.resolved, report.note, message.hidden) == (True, "Removed", True)
    assert not order.hidden
    assert db.session.scalars(domain.messages_select(hood.requester, order)).all() == []
    assert db.session.scalars(domain.messages_select(hood.staff, order)).all() == [message]
    assert domain.unread_count(hood.requester) == 0


def test_a_withdrawn_helper_leaves_the_conversation(app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    domain.post_message(hood.helper, order, "Hi")
    orders.withdraw_from_order(hood.helper, order)
    with pytest.raises(Forbidden):
        domain.messages_select(hood.helper, order)
    assert domain.closes_at(order) is None
