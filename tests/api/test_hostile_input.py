"""A property test: hostile strings (lone surrogates, NUL and other control characters, bidi
controls) and timestamps that overflow in UTC, thrown at every operation of the OpenAPI
document, as a resident and as staff, in bodies, queries and paths: never a 5xx."""
import json
import tempfile
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mutualaid import create_app, demo
from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db


def read_document():
    """The OpenAPI document, read at import to parametrize the test (an app, no database)."""
    with tempfile.TemporaryDirectory() as folder:
        return create_app(TestingConfig(folder)).test_client().get("/api/v1/openapi.json").json


DOCUMENT = read_document()
OPERATIONS = [(path, method) for path, item in DOCUMENT["paths"].items()
              for method in item if method != "parameters"]
UNSAFE = ["\ud800", "\udfff", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066",
          "\u200f", "\n", "\t", "\u2028"]

hostile_text = st.one_of(
    st.builds("{}{}{}".format, st.text(max_size=6), st.sampled_from(UNSAFE), st.text(max_size=6)),
    st.text(alphabet=st.characters(categories=("Cs", "Cc", "Cf")), min_size=1, max_size=8),
)
hostile_datetime = st.one_of(
    st.sampled_from(["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                     "9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+23:59"]),
    st.builds("{}{}".format, st.datetimes().map(lambda moment: moment.isoformat()),
              st.sampled_from(["+14:00", "-12:00", "+23:59", "-23:59", "Z", ""])),
)


def resolve(schema):
    """A schema with its ``$ref`` followed."""
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def values(schema, depth=0):
    """Values for a JSON schema: hostile where it takes text or a timestamp, plausible
    elsewhere (so that a request gets as far as the text)."""
    schema = resolve(schema)
    kind = schema.get("type")
    if schema.get("format") == "date-time":
        return hostile_datetime
    if kind == "string":
        plausible = st.sampled_from([v for v in schema["enum"] if v is not None]) \
            if schema.get("enum") else st.text(max_size=12)
        return st.one_of(hostile_text, plausible)
    if kind == "integer":
        return st.integers(1, 6)
    if kind == "number":
        return st.integers(1, 500)
    if kind == "boolean":
        return st.booleans()
    if kind == "array" and depth < 3:
        return st.lists(values(schema.get("items", {}), depth + 1), max_size=3)
    if (kind == "object" or "properties" in schema) and depth < 3:
        return st.fixed_dictionaries({}, optional={
            name: values(field, depth + 1) for name, field in schema.get("properties", {}).items()
            if not field.get("readOnly")})
    return st.none()


def parameters(path, method):
    """The operation's parameters (path and query), from the path item and the operation."""
    item = DOCUMENT["paths"][path]
    return (item.get("parameters") or []) + (item[method].get("parameters") or [])


def path_value(value):
    """A path segment for any value, lone surrogates too (as the bytes a client would send)."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def query_string(query):
    return "&".join(f"{path_value(name)}={path_value(value)}" for name, value in query.items())


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The demo community, on a file in pytest's temporary folders (gone with them)."""
    app = create_app(TestingConfig(tmp_path_factory.mktemp("hostile")))
    with app.app_context():
        db.create_all()
        demo.seed()
        db.session.commit()
    return app


def token_for(app, username):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        token = accounts.issue_token(user)
        db.session.commit()
        return token


@pytest.mark.parametrize("username", ["liang", "staff"])
@pytest.mark.parametrize("path, method", OPERATIONS)
@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hostile_text_and_times_never_answer_5xx(app, path, method, username, data):
    url = path
    query = {}
    for parameter in parameters(path, method):
        value = data.draw(values(parameter.get("schema", {})), label=parameter["name"])
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", path_value(value))
        elif parameter["in"] == "query" and value is not None:
            query[parameter["name"]] = value
    body = None
    content = DOCUMENT["paths"][path][method].get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = data.draw(values(content["application/json"]["schema"]), label="body")
    response = app.test_client().open(
        url + ("?" + query_string(query) if query else ""), method=method.upper(),
        data=None if body is None else json.dumps(body),
        headers={"Authorization": f"Bearer {token_for(app, username)}",
                 "Content-Type": "application/json"})
    assert response.status_code < 500, (method, url, query, body, response.get_data(as_text=True))
