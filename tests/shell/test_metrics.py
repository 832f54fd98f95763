"""/metrics: Prometheus' text format, for the internal network or the token only."""
import pytest
import requests
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.orders.factories import make_neighbourhood, make_order
from tests.realtime.listener import Listener
from tests.realtime.scene import Http
from tests.services import ServerProcess

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def samples(text):
    """{(name, frozenset(labels)): value} of a scrape."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_the_public_gets_404_and_no_figures(client):
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 404
    assert b"sharehut_" not in response.data


def test_the_token_opens_it_from_outside_and_a_wrong_one_does_not(app, client):
    app.config["METRICS_TOKEN"] = "scrape-me-please"
    wrong = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer no"})
    right = client.get("/metrics", environ_base=OUTSIDE,
                       headers={"Authorization": "Bearer scrape-me-please"})
    assert wrong.status_code == 404 and right.status_code == 200
    assert right.mimetype == "text/plain"


def test_requests_are_timed_by_route_not_by_path(api, db):
    hood = make_neighbourhood()
    first, second = make_order(hood.requester), make_order(hood.requester)
    key = ("sharehut_request_seconds_count",
           frozenset({"route": "/api/v1/orders/<id:order_id>", "method": "GET",
                      "status": "2xx"}.items()))
    before = REGISTRY.get_sample_value(key[0], dict(key[1])) or 0
    client = api(hood.requester)
    client.get(f"/orders/{first.id}")
    client.get(f"/orders/{second.id}")
    scrape = samples(client.client.get("/metrics").get_data(as_text=True))
    assert scrape[key] == before + 2
    assert not any(f"/orders/{first.id}" in dict(labels).get("route", "")
                   for _name, labels in scrape)


def test_events_emitted_after_a_commit_are_counted(api, db):
    hood = make_neighbourhood()
    labels = {"event": "order.created"}
    before = REGISTRY.get_sample_value("sharehut_events_emitted_total", labels) or 0
    api(hood.requester).post("/orders", {"title": "Carry a parcel", "tags": ["errands"]})
    assert REGISTRY.get_sample_value("sharehut_events_emitted_total", labels) == before + 1


def test_the_pool_gauges_are_read_when_scraped(client):
    scrape = samples(client.get("/metrics").get_data(as_text=True))
    assert scrape[("sharehut_db_pool_in_use", frozenset())] >= 0
    assert ("sharehut_db_pool_size", frozenset()) in scrape


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess({"DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.sqlite3'}",
                          "SEED_DEMO": "0", "SECRET_KEY": "metrics", "RATELIMIT_ENABLED": "0"})
    proc.start()
    proc.cli("create-admin", "admin", "--password", "admin-password")
    yield proc
    proc.stop()


def open_sockets(url):
    """The open-sockets gauge of a live server, scraped from loopback."""
    text = requests.get(f"{url}/metrics", timeout=10).text
    return samples(text)[("sharehut_open_sockets", frozenset())]


def test_open_sockets_count_real_connections(server):
    token = Http.sign_in(server.url, "admin", "admin-password").token
    assert open_sockets(server.url) == 0
    listeners = [Listener(server.url, token) for _ in range(3)]
    try:
        assert open_sockets(server.url) == 3
    finally:
        for listener in listeners:
            listener.close()
