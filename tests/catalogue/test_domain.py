"""Catalogue rules without HTTP: publishing, booking seats, cancelling, attendance."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mutualaid.catalogue import domain
from mutualaid.catalogue.models import Booking, Service, ServiceSession
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mutualaid.realtime.outbox import OUTBOX
from tests.catalogue.factories import make_service, make_session
from tests.factories import make_building, make_community, make_staff, make_unit, make_user


def resident_of(community):
    """A verified resident living in ``community``."""
    return make_user(verified=True, unit=make_unit(make_building(community)))


def test_staff_publish_service_and_session_in_their_community(db):
    community = make_community()
    staff = make_staff(community)
    service = domain.create_service(staff, None, "Legal advice", "Law firm", "legal", "everyone")
    session = domain.add_session(staff, service, utcnow() + timedelta(days=2), 45, 5, "Hall")
    assert service.community_id == community.id
    assert (session.capacity, session.booked, session.seats_left, session.version) == (5, 0, 5, 1)


def test_staff_of_another_community_cannot_publish(db):
    staff = make_staff(make_community())
    with pytest.raises(Forbidden):
        domain.create_service(staff, make_community().id, "X", "Y", "legal")


def test_an_admin_publishing_in_a_community_that_does_not_exist_gets_not_found(db):
    with pytest.raises(NotFound):
        domain.create_service(make_user(role="admin"), 999_999, "X", "Y", "legal")
    assert db.session.scalars(sa.select(Service)).all() == []


def test_session_in_the_past_is_refused(db):
    service = make_service()
    staff = make_staff(service.community)
    with pytest.raises(ValidationFailed):
        domain.add_session(staff, service, utcnow() - timedelta(minutes=1), 30, 2, "Hall")


def test_booking_takes_a_seat_and_announces_seat_count(db):
    session = make_session(capacity=2)
    resident = resident_of(session.service.community)
    booking = domain.book_session(resident, session)
    assert booking.cancelled_at is None
    assert (session.booked, session.seats_left, session.version) == (1, 1, 2)
    event, payload, rooms = db.session.info[OUTBOX][-1]
    assert event == "session.updated"
    assert payload["seats_left"] == 1 and payload["version"] == 2
    assert rooms == [f"community:{session.service.community_id}"]


def test_third_booking_of_two_seat_session_is_full(db):
    session = make_session(capacity=2)
    first, second, third = (resident_of(session.service.community) for _ in range(3))
    domain.book_session(first, session)
    domain.book_session(second, session)
    with pytest.raises(Conflict) as error:
        domain.book_session(third, session)
    assert error.value.code == "full"
    assert session.booked == 2


def test_booking_twice_conflicts_as_duplicate(db):
    session = make_session(capacity=5)
    resident = resident_of(session.service.community)
    domain.book_session(resident, session)
    with pytest.raises(Conflict) as error:
        domain.book_session(resident, session)
    assert error.value.code == "already_booked"
    assert session.booked == 1


def test_unverified_or_outsider_cannot_book(db):
    session = make_session()
    with pytest.raises(Forbidden):
        domain.book_session(make_user(), session)
    with pytest.raises(Forbidden):
        domain.book_session(resident_of(make_community()), session)
    assert session.booked == 0


def test_started_session_cannot_be_booked(db):
    session = make_session(starts_in=timedelta(minutes=-5))
    with pytest.raises(Conflict) as error:
        domain.book_session(resident_of(session.service.community), session)
    assert error.value.code == "session_started"


def test_cancel_frees_the_seat_and_allows_booking_again(db):
    session = make_session(capacity=1)
    resident = resident_of(session.service.community)
    booking = domain.book_session(resident, session)
    domain.cancel_booking(resident, booking)
    assert booking.cancelled_at is not None and session.booked == 0
    again = domain.book_session(resident, session)
    assert again.id != booking.id and session.booked == 1


def test_cancel_twice_conflicts_and_frees_only_one_seat(db):
    session = make_session(capacity=2)
    resident, other = (resident_of(session.service.community) for _ in range(2))
    booking = domain.book_session(resident, session)
    domain.book_session(other, session)
    domain.cancel_booking(resident, booking)
    with pytest.raises(Conflict):
        domain.cancel_booking(resident, booking)
    assert session.booked == 1


def test_only_the_booker_or_staff_cancel(db):
    session = make_session()
    community = session.service.community
    booking = domain.book_session(resident_of(community), session)
    with pytest.raises(Forbidden):
        domain.cancel_booking(resident_of(community), booking)
    domain.cancel_booking(make_staff(community), booking)
    assert booking.cancelled_at is not None


def test_staff_see_bookings_and_mark_attendance(db):
    session = make_session()
    community = session.service.community
    staff = make_staff(community)
    booking = domain.book_session(resident_of(community), session)
    assert domain.session_bookings(staff, session) == [booking]
    domain.mark_attendance(staff, booking, True)
    assert booking.attended is True
    with pytest.raises(Forbidden):
        domain.session_bookings(make_staff(), session)


def test_database_refuses_overbooking_even_without_the_domain(db):
    session = make_session(capacity=1)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.update(ServiceSession).where(ServiceSession.id == session.id)
                               .values(booked=2))


def test_database_refuses_two_active_bookings_of_one_person(db):
    session = make_session(capacity=3)
    user = resident_of(session.service.community)
    db.session.add(Booking(session_id=session.id, user_id=user.id))
    db.session.flush()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(Booking(session_id=session.id, user_id=user.id))
            db.session.flush()


def test_filters_by_category_and_audience(db):
    community = make_community()
    make_service(community, "Haircut", "care", "elderly")
    make_service(community, "Homework club", "children", "children")
    resident = resident_of(community)
    titles = lambda **kw: [s.title for s in db.session.scalars(  # noqa: E731
        domain.services_for(resident, **kw))]
    assert titles(category="care") == ["Haircut"]
    assert titles(audience="children") == ["Homework club"]
    assert titles() == ["Haircut", "Homework club"]
