"""A full disk: SQLite answers "database or disk is full"; the API answers 503 and keeps
nothing of the refused write. ``PRAGMA max_page_count`` on every connection caps a real
database file just above its current size, which is how SQLITE_FULL looks to the app."""
import sqlalchemy as sa

from mutualaid import create_app
from mutualaid.accounts.domain import issue_token
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db as _db
from mutualaid.orders.models import Order
from tests.orders.factories import make_neighbourhood


def test_a_full_disk_answers_503_unavailable_and_changes_nothing(tmp_path):
    app = create_app(TestingConfig(tmp_path))
    with app.app_context():
        _db.create_all()
        headers = {"Authorization": "Bearer " + issue_token(make_neighbourhood().requester)}
        _db.session.commit()
        pages = _db.session.execute(sa.text("PRAGMA page_count")).scalar()
        _db.session.remove()
        _db.engine.dispose()

        def cap(connection, _record):
            connection.execute(f"PRAGMA max_page_count = {pages}")

        sa.event.listen(_db.engine, "connect", cap)
        try:
            client = app.test_client()
            for index in range(30):  # fill the few free pages until the cap is hit
                title = f"Need {index}"
                response = client.post("/api/v1/orders", headers=headers, json={
                    "title": title, "description": "x" * 1900, "tags": ["errands"]})
                if response.status_code != 201:
                    break
            assert response.status_code == 503, "the capped database never filled up"
            assert response.json["error"]["code"] == "unavailable"
            assert response.headers["Retry-After"] == "5"
            assert _db.session.scalar(
                sa.select(sa.func.count()).where(Order.title == title)) == 0
            assert client.get("/api/v1/orders", headers=headers).status_code == 200  # reads work
        finally:
            sa.event.remove(_db.engine, "connect", cap)
            _db.session.remove()
            _db.engine.dispose()
