"""The periodic check as set-based work: many appeals a pass, in batches, each still with its
own event, notices and announcement, and none moved that someone changed meanwhile."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from mutualaid.appeals import checks, domain
from mutualaid.appeals.models import Appeal, AppealEvent
from mutualaid.appeals.schemas import dump_appeal
from mutualaid.core.extensions import db
from mutualaid.notifications.models import Notification
from mutualaid.realtime.outbox import pending
from tests.appeals.factories import T0, appeal_in, file, make_street

DAY = timedelta(days=1)


@pytest.fixture
def small_batches(monkeypatch):
    """Two appeals a batch, so a pass of a few appeals takes several."""
    monkeypatch.setattr(checks, "BATCH", 2)


def notices(appeal):
    """Who was told of the appeal's steps, and of which, in order."""
    return [(n.user_id, n.params["step"]) for n in db.session.scalars(
        sa.select(Notification).where(Notification.url == f"/appeals/{appeal.id}")
        .order_by(Notification.id, Notification.user_id))]


def test_one_pass_moves_every_due_appeal_in_batches(db, small_batches):
    place = make_street()
    at_grid, followed = file(place), file(place)
    domain.follow(place.neighbour, followed)
    at_community = file(place)
    domain.escalate_appeal(place.staff, at_community, "Up", T0)
    at_street = file(place)
    for _ in range(2):
        domain.escalate_appeal(place.staff, at_street, "Up", T0)
    working = appeal_in("accepted", place)  # its 3-day resolve limit runs at the grid
    later = file(place, now=T0 + 4 * DAY - timedelta(minutes=1))
    db.session.commit()
    now = T0 + 4 * DAY
    assert checks.escalate_overdue(now) == 5
    assert [(a.level, a.status, a.due_at) for a in (at_grid, followed, at_community,
                                                   at_street, working, later)] == [
        ("community", "submitted", now + DAY), ("community", "submitted", now + DAY),
        ("street", "submitted", now + 2 * DAY), ("street", "submitted", None),
        ("community", "accepted", now + 5 * DAY),
        ("grid", "submitted", later.created_at + DAY)]
    last = {appeal.id: domain.events_of(appeal)[-1]
            for appeal in (at_grid, followed, at_community, at_street, working)}
    assert {(e.kind, e.level, e.from_status, e.to_status, e.actor_id, e.at)
            for e in last.values()} == {
        ("escalated", "community", "submitted", "submitted", None, now),
        ("escalated", "street", "submitted", "submitted", None, now),
        ("overdue", "street", "submitted", "submitted", None, now),
        ("escalated", "community", "accepted", "accepted", None, now)}
    assert last[at_grid.id].note == "未在网格层级的时限内受理。"  # zh-CN first
    assert last[working.id].note == "未在网格层级的时限内办结。"
    appellant, neighbour = place.appellant.id, place.neighbour.id
    assert notices(followed) == [(appellant, "escalated"), (neighbour, "escalated")]
    assert notices(at_street)[-1] == (appellant, "overdue")
    announced = [rooms[0] for event, _payload, rooms in pending() if event == "appeal.updated"]
    assert sorted(announced) == sorted(f"appeal:{appeal_id}" for appeal_id in last)
    assert checks.escalate_overdue(now) == 0  # each moved once a pass


def test_an_appeal_changed_meanwhile_is_left_out(db):
    place = make_street()
    appeal = file(place)
    db.session.commit()
    seen = appeal.version
    domain.accept_appeal(place.worker, appeal, T0 + DAY - timedelta(minutes=1))
    set_committed_value(appeal, "version", seen)  # what the check read before the accept
    set_committed_value(appeal, "status", "submitted")
    moved = domain.move_many([(appeal, "escalated", "Late", {
        "level": "community", "level_since": T0 + DAY, "overdue_noted": None,
        "due_at": T0 + 2 * DAY})], T0 + DAY)
    assert moved == []
    db.session.refresh(appeal)
    assert (appeal.status, appeal.level) == ("accepted", "grid")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AppealEvent)
                             .where(AppealEvent.kind == "escalated")) == 0


def test_unrated_appeals_close_in_batches(db, small_batches):
    place = make_street()
    resolved = [appeal_in("resolved", place) for _ in range(3)]
    fresh = appeal_in("resolved", place, now=T0 + DAY)
    assert checks.run_checks(T0 + 7 * DAY + timedelta(minutes=3)) == (0, 3)
    assert [a.status for a in resolved + [fresh]] == ["closed"] * 3 + ["resolved"]
    assert all(a.closed_unrated for a in resolved)
    assert [e.note for e in domain.events_of(resolved[0])][-1] == "7天内未评价。"
    assert notices(resolved[2])[-1] == (place.appellant.id, "closed")


def test_the_announced_appeals_are_their_rows_as_written(db, small_batches):
    place = make_street()
    appeals = [file(place), file(place, anonymous=True), file(place, public=False)]
    db.session.commit()
    assert checks.escalate_overdue(T0 + timedelta(days=1)) == 3
    payloads = {rooms[0]: payload() for event, payload, rooms in pending()
                if event == "appeal.updated"}
    db.session.expire_all()  # read the rows back as the database holds them
    assert payloads == {f"appeal:{appeal.id}": dump_appeal(db.session.get(Appeal, appeal.id))
                        for appeal in appeals}
    assert {payload["level"] for payload in payloads.values()} == {"community"}
    assert [payload["version"] for payload in payloads.values()] == [2, 2, 2]


def test_a_read_moves_one_batch_and_leaves_the_rest_to_the_worker(db, small_batches):
    place = make_street()
    overdue = [file(place) for _ in range(5)]  # filed at T0: long past their day
    db.session.commit()
    checks.check_on_read()
    assert sorted(appeal.level for appeal in overdue) == ["community"] * 2 + ["grid"] * 3
    checks.check_on_read()  # not again within APPEALS_CHECK_SECONDS
    assert [appeal.level for appeal in overdue].count("grid") == 3
    assert checks.escalate_overdue() == 3
    assert {appeal.level for appeal in overdue} == {"community"}
