"""Open311 GeoReport v2: every GET answer validated against the official JSON schemas
(tests/open311/schemas, see SOURCE.md); the POST, the errors and the XML by the shapes the
specification gives."""
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from mutualaid.accounts import domain as accounts
from mutualaid.appeals import domain
from mutualaid.appeals.models import Appeal
from mutualaid.core.extensions import db as _db
from tests.appeals.factories import file, make_street

SCHEMAS = Path(__file__).parent / "schemas"
# The schemas name no draft: read them as draft 7, and find each other by file name.
REGISTRY = Registry().with_resources(
    (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7))
    for path in SCHEMAS.glob("*.json"))


def validate(document, name):
    """Validate against one of the official schemas (``$ref`` by file name resolved)."""
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft7Validator(schema, registry=REGISTRY,
                               format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.fixture
def place(db):
    place = make_street()
    now = datetime.now().astimezone()
    place.public = file(place, now=now - timedelta(hours=2), anonymous=True)
    place.private = file(place, now=now - timedelta(hours=1), public=False)
    place.done = file(place, now=now - timedelta(hours=3), category="noise",
                      building=place.loose)
    for step in (domain.accept_appeal, domain.start_appeal):
        step(place.staff, place.done, now)
    domain.resolve_appeal(place.staff, place.done, "已协调", now)
    return place


def test_services(client):
    client.set_cookie("lang", "en")
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    validate(response.json, "services.json")
    codes = {item["service_code"]: item for item in response.json}
    assert set(codes) >= {"environment", "noise", "parking", "other"}
    assert codes["noise"]["service_name"] == "Noise"
    assert codes["noise"]["type"] == "realtime" and codes["noise"]["metadata"] is False
    client.delete_cookie("lang")
    zh = client.get("/open311/v2/services.json").json
    assert {i["service_code"]: i["service_name"] for i in zh}["noise"] == "噪音扰民"


def test_requests_list_public_appeals_only(client, place):
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 200
    validate(response.json, "requests.json")
    ids = [item["service_request_id"] for item in response.json]
    assert ids == [str(place.public.id), str(place.done.id)]
    one = response.json[0]
    assert one["status"] == "open" and one["agency_responsible"].endswith("Grid 1")
    assert one["requested_datetime"].endswith("+08:00")
    assert datetime.fromisoformat(one["expected_datetime"]) == place.public.due_at.replace(
        microsecond=0)
    assert place.appellant.display_name not in response.get_data(True)
    done = response.json[1]
    assert (done["status"], done["status_notes"], done["address_id"]) == (
        "closed", "已协调", str(place.loose.id))


@pytest.mark.parametrize(("query", "expected"), [
    ("status=open", ["public"]), ("status=closed", ["done"]),
    ("service_code=noise", ["done"]), ("service_request_id={public},{private}", ["public"]),
    ("start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z", []),
])
def test_request_filters(client, place, query, expected):
    query = query.format(public=place.public.id, private=place.private.id)
    response = client.get(f"/open311/v2/requests.json?{query}")
    validate(response.json, "requests.json")
    assert [item["service_request_id"] for item in response.json] == [
        str(getattr(place, name).id) for name in expected]


def test_one_request_is_a_one_item_list(client, place):
    response = client.get(f"/open311/v2/requests/{place.public.id}.json")
    validate(response.json, "requests.json")
    assert len(response.json) == 1
    missing = client.get(f"/open311/v2/requests/{place.private.id}.json")
    assert missing.status_code == 404
    assert missing.json == [{"code": 404, "description": missing.json[0]["description"]}]


def test_xml_answers(client, place):
    services = ET.fromstring(client.get("/open311/v2/services.xml").data)
    assert services.tag == "services" and services[0].tag == "service"
    assert {child.tag for child in services[0]} >= {"service_code", "service_name",
                                                   "metadata", "type"}
    assert services[0].find("metadata").text == "false"
    requests = ET.fromstring(client.get("/open311/v2/requests.xml").data)
    assert requests.tag == "service_requests"
    assert [r.find("service_request_id").text for r in requests] == [
        str(place.public.id), str(place.done.id)]
    error = ET.fromstring(client.get("/open311/v2/requests/999999.xml").data)
    assert (error.tag, error[0].tag, error[0].find("code").text) == ("errors", "error", "404")


def post(client, **form):
    return client.post("/open311/v2/requests.json", data=form)


def test_post_files_an_appeal_with_an_api_key(client, place):
    key = accounts.issue_token(place.neighbour)
    _db.session.commit()
    response = post(client, api_key=key, service_code="parking", lat="23.0216",
                    long="113.1151", jurisdiction_id="foshan",
                    description="小区门口有一辆僵尸车停了半年，轮胎都瘪了，挡住了消防通道",
                    media_url="https://example.org/car.jpg")
    assert response.status_code == 201, response.json
    [created] = response.json
    assert set(created) == {"service_request_id", "service_notice"}
    appeal = _db.session.get(Appeal, int(created["service_request_id"]))
    assert (appeal.building_id, appeal.appellant_id, appeal.category) == (
        place.gridded.id, place.neighbour.id, "parking")
    assert appeal.title == "小区门口有一辆僵尸车停了半年，轮胎都瘪了，挡住了消防通道"[:40]
    assert appeal.media_url == "https://example.org/car.jpg"
    by_address = post(client, api_key=key, service_code="noise",
                      address_id=str(place.loose.id), description="Drums at night")
    assert by_address.status_code == 201


@pytest.mark.parametrize(("form", "status"), [
    ({"api_key": "wrong"}, 403), ({"api_key": None}, 403),
    ({"service_code": "aliens"}, 400), ({"lat": "23.5", "long": "113.5"}, 400),
    ({"lat": "nan", "long": "113.1"}, 400), ({"lat": None, "long": None}, 400),
    ({"description": ""}, 400), ({"media_url": "file:///etc/passwd"}, 400),
    ({"address_id": "0"}, 400), ({"description": "a\u202eb"}, 400),
])
def test_bad_posts_answer_georeport_errors(client, place, form, status):
    key = accounts.issue_token(place.neighbour)
    _db.session.commit()
    base = {"api_key": key, "service_code": "parking", "lat": "23.0216", "long": "113.1151",
            "description": "Zombie car"}
    body = {k: v for k, v in (base | form).items() if v is not None}
    before = _db.session.query(Appeal).count()
    response = post(client, **body)
    assert response.status_code == status
    assert list(response.json[0]) == ["code", "description"]
    assert response.json[0]["code"] == status
    assert _db.session.query(Appeal).count() == before
    if form.get("lat") == "23.5":
        assert "outside_area" in response.json[0]["description"]


def test_unknown_format_and_bad_filters(client, place):
    assert client.get("/open311/v2/services.csv").status_code == 404
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    late = client.get("/open311/v2/requests.json?end_date=9999-12-31T23:59:59-12:00")
    assert late.status_code == 400 and late.json[0]["code"] == 400
    assert client.get("/open311/v2/requests.json?service_request_id=x").status_code == 400
