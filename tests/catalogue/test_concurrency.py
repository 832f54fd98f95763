"""Concurrent bookings never take more seats than a session has, on SQLite and PostgreSQL."""
import threading

import pytest
import sqlalchemy as sa

from mutualaid.catalogue import domain
from mutualaid.catalogue.models import Booking, ServiceSession
from mutualaid.core.errors import Conflict
from mutualaid.core.extensions import db
from tests.catalogue.factories import make_service, make_session
from tests.factories import make_building, make_community, make_unit, make_user

CAPACITY = 3
BOOKERS = 16


def scene():
    """A 3-seat session and 16 verified residents of its community; returns their ids."""
    community = make_community()
    session = make_session(make_service(community), capacity=CAPACITY)
    building = make_building(community)
    users = [make_user(verified=True, unit=make_unit(building, number=f"{n + 1}01"))
             for n in range(BOOKERS)]
    ids = session.id, [user.id for user in users]
    db.session.commit()  # and read nothing after it: on SQLite a read would hold the lock
    return ids


def book_all_at_once(app, session_id, user_ids):
    """Every user books in their own thread, released together; returns the outcomes."""
    from mutualaid.accounts.models import User

    outcomes, lock = [], threading.Lock()
    barrier = threading.Barrier(len(user_ids), timeout=60)

    def book(user_id):
        with app.app_context():
            user = db.session.get(User, user_id)
            session = db.session.get(ServiceSession, session_id)
            db.session.commit()  # end the read (SQLite begins IMMEDIATE) before the start line
            barrier.wait(timeout=60)
            try:
                domain.book_session(user, session)
                db.session.commit()
                outcome = "booked"
            except Conflict as error:
                db.session.rollback()
                outcome = error.code
            except Exception as error:  # recorded so the test can show it
                db.session.rollback()
                outcome = repr(error)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=book, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def assert_capacity_held(app, session_id, outcomes):
    """Exactly ``CAPACITY`` wins, the rest ``full``, and the rows agree with the counter."""
    assert sorted(outcomes) == ["booked"] * CAPACITY + ["full"] * (BOOKERS - CAPACITY)
    with app.app_context():
        session = db.session.get(ServiceSession, session_id)
        active = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
            Booking.session_id == session_id, Booking.cancelled_at.is_(None)))
        assert session.booked == active == CAPACITY


def test_concurrent_bookings_never_exceed_capacity_on_sqlite(app):
    session_id, user_ids = scene()
    outcomes = book_all_at_once(app, session_id, user_ids)
    assert_capacity_held(app, session_id, outcomes)


@pytest.mark.postgres
def test_concurrent_bookings_never_exceed_capacity_on_postgres(postgres_app):
    session_id, user_ids = scene()
    outcomes = book_all_at_once(postgres_app, session_id, user_ids)
    assert_capacity_held(postgres_app, session_id, outcomes)
