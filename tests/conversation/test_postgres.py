"""On PostgreSQL, where two requests of one person really run at once (SQLite's writers take
turns): a double tap on "send" lands both messages."""
import threading
import time

import pytest
import sqlalchemy as sa

from mutualaid.accounts.models import User
from mutualaid.conversation import domain
from mutualaid.conversation.models import MessageRead
from mutualaid.core.extensions import db
from mutualaid.orders.models import Order
from tests.orders.factories import make_neighbourhood, order_in

pytestmark = pytest.mark.postgres


def wait_for_a_lock_wait(timeout=20):
    """Until another connection of this database waits on a row lock (or fail)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"))
            if waiting:
                return
            connection.rollback()
            time.sleep(0.05)
    pytest.fail("the second send never waited for the first")


def test_two_sends_at_once_by_one_person_both_land(postgres_app):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    db.session.commit()
    user_id, order_id = hood.requester.id, order.id
    first = domain.post_message(hood.requester, order, "The gate code is 1234")  # not committed
    second, errors = [], []

    def send_again():
        with postgres_app.app_context():
            try:
                user, same = db.session.get(User, user_id), db.session.get(Order, order_id)
                second.append(domain.post_message(user, same, "The gate code is 1234").id)
                db.session.commit()
            except Exception as error:  # the failure to report, whatever it is
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=send_again)
    thread.start()
    wait_for_a_lock_wait()  # the second waits on the first's read mark
    db.session.commit()
    thread.join(timeout=30)
    assert not thread.is_alive() and errors == []
    assert second[0] > first.id
    mark = db.session.get(MessageRead, (order_id, user_id), populate_existing=True)
    assert mark.last_read_id == second[0]  # moved forward to the later one, never back
