"""One input rule for every text and every timestamp: control characters, lone surrogates
and bidi controls, and datetimes that overflow in UTC, are refused with 400 (never a 500);
a 500 that does happen is still logged with its request id."""
import json

import pytest
import sqlalchemy as sa

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from mutualaid.orders.models import Order
from tests.catalogue.factories import make_service
from tests.factories import make_staff, make_user
from tests.orders.factories import make_neighbourhood

UNSAFE = {"lone surrogate": "Tap\ud800", "NUL": "Tap\x00", "bell": "Tap\x07",
          "C1 control": "Tap\x85x", "right-to-left override": "Tap\u202egpj.exe",
          "isolate": "Tap\u2066x\u2069", "left-to-right mark": "Tap\u200e"}
OVERFLOWING = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]


def raw_post(client, path, body, user=None):
    """POST a body serialised by hand: lone surrogates travel as JSON escapes."""
    headers = {"Content-Type": "application/json"}
    if user is not None:
        headers["Authorization"] = f"Bearer {accounts.issue_token(user)}"
    return client.post("/api/v1" + path, data=json.dumps(body), headers=headers)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("text", UNSAFE.values(), ids=UNSAFE.keys())
def test_unsafe_characters_in_an_order_title_are_400(client, text):
    hood = make_neighbourhood()
    response = raw_post(client, "/orders", {"title": text, "tags": ["repair"]}, hood.requester)
    assert response.status_code == 400, response.json
    assert "title" in response.json["error"]["fields"]
    assert count(Order) == 0


@pytest.mark.parametrize("text", UNSAFE.values(), ids=UNSAFE.keys())
def test_unsafe_characters_in_a_description_are_400(client, text):
    hood = make_neighbourhood()
    response = raw_post(client, "/orders", {"title": "Tap", "description": text,
                                            "tags": ["repair"]}, hood.requester)
    assert response.status_code == 400 and count(Order) == 0


@pytest.mark.parametrize("field, text", [
    ("display_name", "Li\ud800"), ("display_name", "Li\x00"), ("username", "li\ud800"),
    ("password", "long enough \ud800"), ("phone", "13800000000\x00"), ("username", "li\n"),
])
def test_unsafe_characters_at_registration_are_400(client, field, text):
    body = {"username": "liang", "password": "a long passphrase", "display_name": "Li"}
    response = raw_post(client, "/auth/register", body | {field: text})
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]


def test_unsafe_characters_in_a_query_are_400(api, db):
    assert api(make_staff()).get("/users?q=%00").status_code == 400
    assert api(make_user(verified=True)).get("/orders?tag=%E2%80%AE").status_code == 400


def test_line_breaks_only_in_long_texts(api):
    hood = make_neighbourhood()
    refused = api(hood.requester).post("/orders", {"title": "Tap\nleaks", "tags": ["repair"]})
    assert refused.status_code == 400
    kept = api(hood.requester).post("/orders", {"title": "  Tap  ", "tags": ["repair"],
                                                "description": "Kitchen\n\tunder the sink"})
    assert kept.status_code == 201
    assert (kept.json["title"], kept.json["description"]) == ("Tap", "Kitchen\n\tunder the sink")


def test_chinese_and_emoji_are_welcome(api):
    hood = make_neighbourhood()
    response = api(hood.requester).post("/orders", {"title": "修水龙头 🚰", "tags": ["repair"]})
    assert response.status_code == 201 and response.json["title"] == "修水龙头 🚰"


@pytest.mark.parametrize("moment", OVERFLOWING)
@pytest.mark.parametrize("field", ["window_start", "window_end"])
def test_overflowing_order_windows_are_400(api, field, moment):
    hood = make_neighbourhood()
    response = api(hood.requester).post("/orders", {"title": "Tap", "tags": ["repair"],
                                                    field: moment})
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"] and count(Order) == 0


@pytest.mark.parametrize("moment", OVERFLOWING + ["9001-01-01T00:00:00+00:00"])
@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_overflowing_vote_times_are_400(api, field, moment):
    hood = make_neighbourhood()
    body = {"title": "Lift", "description": "A new lift", "rule": "poll",
            "building_id": hood.building.id, field: moment}
    response = api(hood.staff).post("/votes", body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]


@pytest.mark.parametrize("moment", OVERFLOWING)
def test_overflowing_session_start_is_400(api, moment):
    hood = make_neighbourhood()
    service = make_service(hood.community)
    response = api(hood.staff).post(f"/services/{service.id}/sessions", {
        "starts_at": moment, "duration_min": 30, "capacity": 2, "place": "Hut"})
    assert response.status_code == 400, response.json


def test_a_500_is_logged_with_its_request_id(app, caplog):
    """An unexpected database error after the user was loaded: answered 500, and the request
    log still writes its line (it used to fail on the broken transaction)."""
    user = make_user()
    user_id, username, token = user.id, user.username, accounts.issue_token(user)
    db.session.commit()

    @app.get("/api/v1/test-only/boom")
    def boom():
        from flask_login import current_user

        assert current_user.id == user_id
        db.session.add(User(username=username, display_name="x", password_hash="x"))
        db.session.flush()  # IntegrityError: the username is taken

    with caplog.at_level("INFO", logger="mutualaid.requests"):
        response = app.test_client().get("/api/v1/test-only/boom", headers={
            "Authorization": f"Bearer {token}", "X-Request-ID": "trace-me-12345"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    line = next(r for r in caplog.records if r.name == "mutualaid.requests")
    assert line.fields["status"] == 500 and line.fields["request_id"] == "trace-me-12345"
    assert line.fields["user_id"] == user_id
