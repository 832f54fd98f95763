"""The message queue failing after a commit, and the Origin rule of the Socket.IO endpoint."""
import logging

import pytest

from mutualaid import create_app
from mutualaid.core import config as app_config
from mutualaid.core.extensions import db
from mutualaid.realtime.origins import origin_checker
from mutualaid.realtime.outbox import announce
from tests.factories import make_user
from tests.services import free_port


@pytest.fixture
def app_with_dead_queue(tmp_path):
    """An app whose Redis message queue is a port nobody listens on."""
    config = app_config.TestingConfig(tmp_path)
    config.SOCKETIO_MESSAGE_QUEUE = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_commit_stands_when_the_queue_is_down(app_with_dead_queue, caplog):
    user = make_user(username="kept")
    announce("order.updated", {"id": 1, "version": 1}, [f"user:{user.id}"])
    with caplog.at_level(logging.WARNING):
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(user), user.id).username == "kept"


def test_healthz_reports_a_dead_queue_as_degraded_not_down(app_with_dead_queue):
    health = app_with_dead_queue.test_client().get("/healthz")
    assert health.status_code == 200  # requests still work: the balancer keeps the instance
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["checks"]["queue"] != "ok"



def test_an_unsupported_queue_url_is_refused_at_start(tmp_path):
    config = app_config.TestingConfig(tmp_path)
    config.SOCKETIO_MESSAGE_QUEUE = "amqp://127.0.0.1/"
    with pytest.raises(ValueError):
        create_app(config)


ENVIRON = {"wsgi.url_scheme": "http", "HTTP_HOST": "hut.example:5000"}


@pytest.mark.parametrize("origin, environ, extra, allowed", [
    ("http://hut.example:5000", ENVIRON, [], True),
    ("https://hut.example:5000", ENVIRON, [], False),
    ("http://evil.example", ENVIRON, [], False),
    ("http://hut.example:5000.evil.example", ENVIRON, [], False),
    ("null", ENVIRON, [], False),
    (None, ENVIRON, [], False),
    ("http://evil.example", ENVIRON, ["*"], False),
    ("https://app.example", ENVIRON, ["https://app.example"], True),
    ("http://hut.example:5000", ENVIRON, ["https://app.example"], True),
    ("https://hut.example", {**ENVIRON, "HTTP_X_FORWARDED_PROTO": "https",
                             "HTTP_X_FORWARDED_HOST": "hut.example"}, [], True),
    ("http://anything", {"wsgi.url_scheme": "http"}, [], False),
])
def test_origin_rule(origin, environ, extra, allowed):
    assert origin_checker(extra)(origin, environ) is allowed


def test_a_request_whose_commit_announces_answers_normally_when_the_queue_is_down(
        app_with_dead_queue):
    from tests.factories import ApiClient
    from tests.orders.factories import make_neighbourhood

    hood = make_neighbourhood()
    api = ApiClient(app_with_dead_queue.test_client(), hood.requester)
    answer = api.post("/orders", json={"title": "Queue down", "tags": ["errands"]})
    assert answer.status_code == 201, answer.get_json()
    assert api.get(f"/orders/{answer.get_json()['id']}").get_json()["title"] == "Queue down"
