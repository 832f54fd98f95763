"""Votes and the catalogue notify through the real domain: vote.opened to the electorate,
vote.closing_soon once and only to those who have not voted, vote.closed with the result,
service.published to its audience, booking.reminder 2 h before."""
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.catalogue import domain as catalogue
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.notifications import domain as notifications
from mutualaid.notifications.models import Notification
from mutualaid.core.scheduler import run_checks
from mutualaid.votes import domain as votes
from tests.catalogue.factories import make_service
from tests.factories import make_building, make_staff, make_unit, make_user
from tests.votes.factories import make_owner, make_vote


def told(kind):
    """``{user_id: params}`` of every notice of ``kind``."""
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == kind)).all()
    return sorted(row.user_id for row in rows)


def test_vote_opened_reaches_every_eligible_owner_not_tenants(app):
    building = make_building()
    owners = [make_owner(building, number)[0] for number in ("101", "201")]
    make_unit(building, "301")  # no owner of record: nobody to tell
    tenant = make_user(verified=True, unit=make_unit(building, "401"), relation="tenant")
    make_vote(building)
    assert told("vote.opened") == sorted(owner.id for owner in owners)
    assert tenant.id not in told("vote.opened")


def test_closing_soon_once_to_those_who_have_not_voted(app):
    building = make_building()
    voted, waiting = (make_owner(building, number)[0] for number in ("101", "201"))
    now = utcnow()
    vote = make_vote(building, closes_at=now + timedelta(hours=30))
    late = make_vote(building, title="Late", closes_at=now + timedelta(hours=10))
    votes.cast_ballot(voted, vote, "yes")
    assert run_checks(now) == 0  # 30 h left
    soon = now + timedelta(hours=7)
    assert run_checks(soon) == 1
    assert run_checks(soon + timedelta(minutes=1)) == 0  # once
    [row] = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "vote.closing_soon")).all()
    assert (row.user_id, row.url) == (waiting.id, f"/votes/{vote.id}")
    assert late.id != vote.id  # opened with < 24 h left: no reminder for it


def test_vote_closed_tells_the_result(app):
    building = make_building()
    owner, _unit = make_owner(building, "101")
    staff = make_staff(building.community)
    vote = make_vote(building, staff=staff, rule="poll")
    votes.cast_ballot(owner, vote, "yes")
    votes.close_vote(staff, vote)
    [row] = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "vote.closed")).all()
    assert row.user_id == owner.id and row.params["result"] == "passed"


def test_a_new_session_reaches_its_audience_only(app):
    building = make_building()
    community = building.community
    staff = make_staff(community)
    elder, young = (make_user(verified=True, unit=make_unit(building)) for _ in range(2))
    notifications.update_settings(elder, {"audiences": ["elderly"]})
    service = make_service(community, audience="elderly")
    catalogue.add_session(staff, service, utcnow() + timedelta(days=1), 30, 5, "Hut")
    assert told("service.published") == [elder.id]
    everyone = make_service(community, title="Tea", audience="everyone")
    catalogue.add_session(staff, everyone, utcnow() + timedelta(days=1), 30, 5, "Hut")
    assert told("service.published") == sorted([elder.id, elder.id, young.id])


def test_booking_reminder_two_hours_before_once(app):
    building = make_building()
    staff = make_staff(building.community)
    resident = make_user(verified=True, unit=make_unit(building))
    service = make_service(building.community)
    session = catalogue.add_session(staff, service, utcnow() + timedelta(hours=5), 30, 5, "Hut")
    catalogue.book_session(resident, session)
    assert run_checks() == 0
    at = session.starts_at - timedelta(hours=1, minutes=59)
    assert run_checks(at) == 1 and run_checks(at) == 0
    assert told("booking.reminder") == [resident.id]
