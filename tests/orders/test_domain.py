"""Order rules without HTTP: lifecycle, privacy, safeguarding, expiry, ledger, events."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid.core.database import utcnow
from mutualaid.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from mutualaid.orders import access, credits, domain
from mutualaid.orders.models import STATUSES, CreditEntry, OrderEvent
from mutualaid.realtime.outbox import OUTBOX, ReadAfterCommit
from tests.factories import make_staff, make_user
from tests.orders.factories import make_neighbourhood, make_order, order_in, reload

ACTIONS = {
    "accept": lambda hood, order: domain.accept_order(hood.other, order),
    "start": lambda hood, order: domain.start_order(hood.helper, order),
    "complete": lambda hood, order: domain.complete_order(hood.helper, order, 30),
    "confirm": lambda hood, order: domain.confirm_order(hood.requester, order, 4),
    "cancel": lambda hood, order: domain.cancel_order(hood.requester, order),
    "withdraw": lambda hood, order: domain.withdraw_from_order(hood.helper, order),
}
LEGAL = {
    ("accept", "open"): "accepted",
    ("start", "accepted"): "in_progress",
    ("complete", "in_progress"): "completed",
    ("confirm", "completed"): "confirmed",
    ("cancel", "open"): "cancelled",
    ("cancel", "accepted"): "cancelled",
    ("withdraw", "accepted"): "open",
}
TABLE = [(action, status, LEGAL.get((action, status))) for action in ACTIONS
         for status in STATUSES]


@pytest.mark.parametrize(("action", "status", "target"), TABLE)
def test_every_action_from_every_status(db, action, status, target):
    hood = make_neighbourhood()
    order = order_in(status, hood)
    version = order.version
    events = len(domain.events_of(order))
    if target is None:
        with pytest.raises(InvalidTransition) as raised:
            ACTIONS[action](hood, order)
        assert raised.value.code == "invalid_transition" and raised.value.status == 409
        assert reload(order).status == status and order.version == version
        assert len(domain.events_of(order)) == events
        return
    ACTIONS[action](hood, order)
    order = reload(order)
    assert order.status == target and order.version == version + 1
    last = domain.events_of(order)[-1]
    assert (last.from_status, last.to_status) == (status, target)


def test_full_lifecycle_records_every_step_and_credits_the_helper(db):
    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    steps = [(e.from_status, e.to_status, e.actor_id) for e in domain.events_of(order)]
    assert steps == [
        (None, "open", hood.requester.id), ("open", "accepted", hood.helper.id),
        ("accepted", "in_progress", hood.helper.id), ("in_progress", "completed", hood.helper.id),
        ("completed", "confirmed", hood.requester.id),
    ]
    assert (order.minutes, order.rating, order.comment) == (45, 5, "Thank you")
    assert credits.balance_minutes(hood.helper.id) == 45
    assert credits.balance_minutes(hood.requester.id) == 0


def test_withdraw_reopens_the_order_for_others(db):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    domain.withdraw_from_order(hood.helper, order)
    assert (order.status, order.helper_id) == ("open", None)
    domain.accept_order(hood.other, order)
    assert order.helper_id == hood.other.id


@pytest.mark.parametrize(("action", "status", "who"), [
    ("start", "accepted", "requester"), ("start", "accepted", "other"),
    ("complete", "in_progress", "requester"), ("complete", "in_progress", "other"),
    ("withdraw", "accepted", "requester"), ("withdraw", "accepted", "other"),
    ("confirm", "completed", "helper"), ("confirm", "completed", "other"),
    ("cancel", "open", "helper"), ("cancel", "accepted", "helper"), ("cancel", "open", "other"),
])
def test_only_the_right_party_moves_the_order(db, action, status, who):
    hood = make_neighbourhood()
    order = order_in(status, hood)
    actor = getattr(hood, who)
    call = {
        "start": lambda: domain.start_order(actor, order),
        "complete": lambda: domain.complete_order(actor, order, 30),
        "withdraw": lambda: domain.withdraw_from_order(actor, order),
        "confirm": lambda: domain.confirm_order(actor, order, 5),
        "cancel": lambda: domain.cancel_order(actor, order),
    }[action]
    with pytest.raises(Forbidden):
        call()
    assert reload(order).status == status


def test_staff_confirm_for_a_resident_without_a_phone(db):
    hood = make_neighbourhood()
    order = order_in("completed", hood)
    domain.confirm_order(hood.staff, order, 5)
    assert order.status == "confirmed"
    assert domain.events_of(order)[-1].actor_id == hood.staff.id
    assert credits.balance_minutes(hood.helper.id) == 45


def test_staff_of_another_community_cannot_confirm(db):
    hood = make_neighbourhood()
    order = order_in("completed", hood)
    with pytest.raises(Forbidden):
        domain.confirm_order(make_staff(), order, 5)


@pytest.mark.parametrize("minutes", [0, -1, 601])
def test_complete_needs_minutes_between_1_and_600(db, minutes):
    hood = make_neighbourhood()
    order = order_in("in_progress", hood)
    with pytest.raises(ValidationFailed):
        domain.complete_order(hood.helper, order, minutes)
    assert reload(order).status == "in_progress"


def test_accept_own_order_is_forbidden(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    with pytest.raises(Forbidden) as raised:
        domain.accept_order(hood.requester, order)
    assert raised.value.code == "own_order"


def test_unverified_resident_cannot_accept(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    with pytest.raises(Forbidden) as raised:
        domain.accept_order(make_user(), order)
    assert raised.value.code == "not_verified"


@pytest.mark.parametrize(("vetted", "allowed"), [(False, False), (True, True)])
def test_vulnerable_requester_gets_vetted_helpers_only(db, vetted, allowed):
    hood = make_neighbourhood(vulnerable=True, vetted_helper=vetted)
    order = make_order(hood.requester)
    if allowed:
        domain.accept_order(hood.helper, order)
        assert order.status == "accepted"
    else:
        with pytest.raises(Forbidden) as raised:
            domain.accept_order(hood.helper, order)
        assert raised.value.code == "not_vetted"
        assert reload(order).status == "open"


def test_accept_that_lost_the_race_is_a_conflict(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    stale = reload(order)
    db.session.execute(sa.text("UPDATE orders SET status='accepted', helper_id=:h WHERE id=:i"),
                       {"h": hood.helper.id, "i": order.id})
    with pytest.raises(InvalidTransition):
        domain.accept_order(hood.other, stale)
    assert reload(order).helper_id == hood.helper.id


def test_staff_post_on_behalf_of_a_resident(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester, actor=hood.staff)
    assert (order.requester_id, order.created_by_id) == (hood.requester.id, hood.staff.id)
    assert order.building_id == hood.building.id
    assert domain.events_of(order)[0].actor_id == hood.staff.id


@pytest.mark.parametrize("actor", ["other", "outside_staff"])
def test_only_staff_of_the_community_post_on_behalf(db, actor):
    hood = make_neighbourhood()
    who = hood.other if actor == "other" else make_staff()
    with pytest.raises(Forbidden):
        make_order(hood.requester, actor=who)


def test_unverified_resident_cannot_post(db):
    with pytest.raises(Forbidden):
        make_order(make_user())


@pytest.mark.parametrize("fields", [
    {"tags": ["nonsense"]}, {"tags": []}, {"tags": ["repair", "errands", "escort", "cleaning", "moving", "pet_care"]},
    {"window_end": utcnow() - timedelta(minutes=1)},
    {"window_start": utcnow() + timedelta(hours=2), "window_end": utcnow() + timedelta(hours=1)},
])
def test_bad_order_fields_are_refused(db, fields):
    hood = make_neighbourhood()
    with pytest.raises(ValidationFailed):
        make_order(hood.requester, **fields)


def test_contact_only_for_requester_accepted_helper_and_staff(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    assert access.sees_contact(hood.requester, order)
    assert access.sees_contact(hood.staff, order)
    assert not access.sees_contact(hood.helper, order)
    assert not access.sees_contact(make_staff(), order)
    domain.accept_order(hood.helper, order)
    assert access.sees_contact(hood.helper, order)
    assert not access.sees_contact(hood.other, order)
    domain.withdraw_from_order(hood.helper, order)
    assert not access.sees_contact(hood.helper, order)


def test_orders_of_another_community_are_not_found(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    stranger = make_neighbourhood().other
    with pytest.raises(NotFound):
        access.get_visible(stranger, order.id)
    assert access.get_visible(hood.other, order.id) is order


def test_hidden_orders_only_for_requester_and_staff(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    domain.hide_order(hood.staff, order)
    assert order.hidden
    assert access.can_see(hood.requester, order) and access.can_see(hood.staff, order)
    assert not access.can_see(hood.other, order)
    assert access.get_visible(hood.requester, order.id) is order


def test_expire_due_orders_expires_open_orders_past_their_window_only(db):
    hood = make_neighbourhood()
    now = utcnow()
    due = make_order(hood.requester, window_end=now + timedelta(minutes=5))
    later = make_order(hood.requester, window_end=now + timedelta(hours=5))
    taken = make_order(hood.requester, window_end=now + timedelta(minutes=5))
    no_window = make_order(hood.requester)
    domain.accept_order(hood.helper, taken)
    assert domain.expire_due_orders(now + timedelta(minutes=10)) == 1
    assert [o.status for o in (due, later, taken, no_window)] == \
        ["expired", "open", "accepted", "open"]
    event = domain.events_of(due)[-1]
    assert (event.from_status, event.to_status, event.actor_id) == ("open", "expired", None)


def test_ledger_is_append_only_and_one_credit_per_order(db):
    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    db.session.commit()
    entry = db.session.scalar(sa.select(CreditEntry))
    entry.minutes = 600
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        credits.credit_helper(reload(order))
    db.session.rollback()
    assert [(e.minutes, e.order_id) for e in db.session.scalars(sa.select(CreditEntry))] == [
        (45, order.id)]


def test_thanks_board_ranks_helpers_by_minutes_this_month(db):
    hood = make_neighbourhood()
    order_in("confirmed", hood)  # helper: 45 minutes
    second = make_order(hood.requester)
    domain.accept_order(hood.other, second)
    domain.start_order(hood.other, second)
    domain.complete_order(hood.other, second, 90)
    domain.confirm_order(hood.requester, second, 5)
    board = credits.thanks_board(hood.community.id)
    assert [(row["user_id"], row["minutes"], row["orders"]) for row in board["items"]] == [
        (hood.other.id, 90, 1), (hood.helper.id, 45, 1)]
    assert credits.thanks_board(hood.community.id, utcnow() + timedelta(days=40))["items"] == []


def test_every_change_is_announced_to_its_rooms_with_a_version(db):
    hood = make_neighbourhood()
    db.session.info.pop(OUTBOX, None)
    order = make_order(hood.requester)
    domain.accept_order(hood.helper, order)
    order_events = [entry for entry in db.session.info[OUTBOX]
                    if entry[0].startswith("order.")]  # notification.created aside
    (created, c_payload, c_rooms), (updated, later, u_rooms) = order_events
    assert created == "order.created" and updated == "order.updated"
    assert isinstance(later, ReadAfterCommit)  # read once committed, not under the row lock
    u_payload = later.read()
    assert {f"community:{hood.community.id}", f"building:{hood.building.id}"} <= set(c_rooms)
    assert set(u_rooms) == {f"order:{order.id}", f"community:{hood.community.id}",
                            f"building:{hood.building.id}", f"user:{hood.requester.id}",
                            f"user:{hood.helper.id}"}
    assert (c_payload["version"], u_payload["version"]) == (1, 2)
    assert u_payload["id"] == order.id and u_payload["contact"] is None
    assert u_payload["helper"] == {"id": hood.helper.id, "display_name": hood.helper.display_name}


def test_order_events_are_rows_with_creation_included(db):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    rows = db.session.scalars(sa.select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
    assert [(row.from_status, row.to_status) for row in rows] == [(None, "open")]


def test_order_room_is_for_those_who_may_see_the_order(db):
    from mutualaid.realtime.rooms import may_subscribe

    hood = make_neighbourhood()
    order = make_order(hood.requester)
    name = f"order:{order.id}"
    assert may_subscribe(hood.other, name) and may_subscribe(hood.staff, name)
    assert not may_subscribe(make_neighbourhood().other, name)
    assert not may_subscribe(hood.other, "order:999999")
    domain.hide_order(hood.staff, order)
    assert not may_subscribe(hood.other, name)
    assert may_subscribe(hood.requester, name)
