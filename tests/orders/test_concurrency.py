"""Race-safe accept: 30 neighbours accept the same order at once through the real app;
exactly one wins, the others get 409, nobody gets an error. SQLite file and PostgreSQL."""
import threading

import pytest
import sqlalchemy as sa

from mutualaid import create_app
from mutualaid.accounts import domain as accounts
from mutualaid.core import config as app_config
from mutualaid.core.extensions import db
from mutualaid.orders.models import Order, OrderEvent
from tests.factories import make_building, make_unit, make_user
from tests.orders.factories import make_order
from tests.services import POSTGRES_URL, require_postgres

THREADS = 30


def build_app(tmp_path, database_url=None):
    """An app on a fresh schema (a SQLite file unless a database URL is given)."""
    config = app_config.TestingConfig(tmp_path)
    if database_url:
        config.SQLALCHEMY_DATABASE_URI = database_url
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def race(app):
    """Post THREADS simultaneous accepts; returns the status codes and the stored order."""
    with app.app_context():
        building = make_building()
        requester = make_user(verified=True, unit=make_unit(building, "101"))
        helpers = [make_user(verified=True, unit=make_unit(building, f"{i + 2}01"))
                   for i in range(THREADS)]
        order_id = make_order(requester).id
        tokens = [accounts.issue_token(helper) for helper in helpers]
        helper_ids = {helper.id for helper in helpers}
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(THREADS)
    statuses, errors = [], []

    def accept(token):
        client = app.test_client()
        try:
            barrier.wait()
            response = client.post(f"/api/v1/orders/{order_id}/accept",
                                   headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)
        except Exception as error:  # a thread's failure must fail the test, not vanish
            errors.append(error)

    threads = [threading.Thread(target=accept, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        order = db.session.get(Order, order_id)
        events = db.session.scalars(sa.select(OrderEvent.to_status)
                                    .where(OrderEvent.order_id == order_id)).all()
        result = (order.status, order.helper_id, order.version, events, helper_ids)
        db.session.remove()
    return statuses, errors, result


def assert_one_winner(statuses, errors, result):
    status, helper_id, version, events, helper_ids = result
    assert errors == []
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    assert status == "accepted" and helper_id in helper_ids and version == 2
    assert events == ["open", "accepted"]


def test_thirty_simultaneous_accepts_on_a_sqlite_file_have_one_winner(tmp_path):
    app = build_app(tmp_path)
    assert_one_winner(*race(app))
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_thirty_simultaneous_accepts_on_postgresql_have_one_winner(tmp_path):
    require_postgres()
    app = build_app(tmp_path, POSTGRES_URL)
    try:
        assert_one_winner(*race(app))
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
