"""``flask --app app expire-orders`` on a fresh database: migrates, expires what is due and
tells live clients through the outbox."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid import create_app
from mutualaid.core import config as app_config
from mutualaid.accounts.domain import issue_token
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db, socketio
from mutualaid.orders.models import Order
from tests.orders.factories import make_neighbourhood, make_order


@pytest.fixture
def fresh(tmp_path):
    """An app on an empty SQLite file: no tables until a command migrates it."""
    app = create_app(app_config.TestingConfig(tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_expire_orders_migrates_expires_and_announces(fresh):
    runner = fresh.test_cli_runner()
    first = runner.invoke(args=["expire-orders"])
    assert first.exit_code == 0 and "Expired 0" in first.output, first.output
    hood = make_neighbourhood()
    due = make_order(hood.requester, window_end=utcnow() + timedelta(minutes=5))
    later = make_order(hood.requester, window_end=utcnow() + timedelta(hours=5))
    db.session.execute(sa.update(Order).where(Order.id == due.id)
                       .values(window_end=utcnow() - timedelta(minutes=1)))
    token = issue_token(hood.other)
    due_id, later_id = due.id, later.id
    db.session.commit()
    listener = socketio.test_client(fresh, auth={"token": token})
    assert listener.is_connected()
    listener.get_received()
    result = runner.invoke(args=["expire-orders"])
    assert result.exit_code == 0 and "Expired 1" in result.output
    statuses = dict(db.session.execute(sa.select(Order.id, Order.status)).all())
    assert statuses == {due_id: "expired", later_id: "open"}
    heard = [(m["name"], m["args"][0]["id"], m["args"][0]["status"])
             for m in listener.get_received()]
    assert ("order.updated", due_id, "expired") in heard
    listener.disconnect()
