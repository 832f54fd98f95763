"""Recently read bearer tokens are trusted for AUTH_CACHE_SECONDS: this process's own changes
apply at once, another process's within that bound."""
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.accounts import domain, token_cache
from mutualaid.accounts.models import ApiToken, User
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from tests.factories import ApiClient, make_community, make_user


def another_process_runs(app, statement):
    """Commit ``statement`` on a connection of its own, as another instance would: nothing in
    this process hears of it."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as connection:
        connection.execute(statement)
    engine.dispose()


def test_sign_out_of_a_cached_token_applies_at_once(api, db):
    client = api(make_user())
    db.session.commit()
    assert client.get("/me").status_code == 200
    assert client.delete("/auth/tokens/current").status_code == 204
    assert client.get("/me").status_code == 401


def test_new_staff_may_act_at_once_with_a_cached_token(api, db):
    community = make_community()
    resident, admin = make_user(), make_user(role="admin")
    db.session.commit()
    client = api(resident)
    assert client.get("/users").status_code == 403
    assert api(admin).post(f"/communities/{community.id}/staff",
                           json={"user_id": resident.id}).status_code == 200
    assert client.get("/users").status_code == 200


def test_a_bulk_update_of_users_applies_at_once(api, app, db):
    user = make_user()
    client = api(user)
    db.session.commit()
    assert client.get("/me").status_code == 200
    db.session.execute(sa.update(User).where(User.id == user.id).values(active=False))
    db.session.commit()
    assert client.get("/me").status_code == 401


def test_another_process_revoking_a_token_is_seen_within_the_bound(api, app, db, clock):
    app.config["AUTH_CACHE_SECONDS"] = 30
    client = api(make_user())
    db.session.commit()
    assert client.get("/me").status_code == 200
    another_process_runs(app, sa.update(ApiToken).values(revoked_at=utcnow()))
    assert client.get("/me").status_code == 200  # trusted for up to 30 s

    clock.advance(29)
    assert client.get("/me").status_code == 200
    clock.advance(2)
    assert client.get("/me").status_code == 401


def test_without_the_cache_every_request_reads_the_token(api, app, db):
    app.config["AUTH_CACHE_SECONDS"] = 0
    client = api(make_user())
    db.session.commit()
    assert client.get("/me").status_code == 200
    another_process_runs(app, sa.update(ApiToken).values(revoked_at=utcnow()))
    assert client.get("/me").status_code == 401


def test_a_cached_token_still_expires_on_time(app, db, monkeypatch):
    raw = domain.issue_token(make_user(), ttl=timedelta(minutes=5))
    db.session.commit()
    client = ApiClient(app.test_client())
    client.headers["Authorization"] = f"Bearer {raw}"
    assert client.get("/me").status_code == 200
    in_six_minutes = utcnow() + timedelta(minutes=6)
    monkeypatch.setattr(domain, "utcnow", lambda: in_six_minutes)
    assert client.get("/me").status_code == 401


def test_the_cache_is_bounded(api, app, db, monkeypatch):
    monkeypatch.setattr(token_cache, "MAX_TOKENS", 2)
    clients = [api(make_user()) for _ in range(5)]
    db.session.commit()
    for client in clients:
        assert client.get("/me").status_code == 200
    assert 1 <= len(app.extensions["accounts_token_cache"]["tokens"]) <= 2
