"""The OpenAPI 3 document, generated from the ``endpoint`` registry and its schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from mutualaid.api import PAGE_ARGS, ROUTES, endpoint

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object"}},
    }},
}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _schema_namer():
    """Component names from schema classes without the "Schema" suffix; a name two features
    share gets the feature's name in front ("Person" and "VotesPerson")."""
    taken = {}

    def name(schema):
        cls = schema if isinstance(schema, type) else type(schema)
        short = cls.__name__.removesuffix("Schema")
        if taken.setdefault(short, cls) is not cls:
            short = cls.__module__.split(".")[1].title() + short
        return short

    return name


def _operation(method, options):
    """One OpenAPI operation object from an ``endpoint`` registration."""
    status = str(options["status"])
    success = {"description": "OK"}
    if options["content_type"] != "application/json":
        success["content"] = {options["content_type"]: {"schema": {"type": "string"}}}
    elif options["response"] is not None and status != "204":
        schema = options["response"]
        if options["paged"]:
            schema = {"type": "object", "properties": {
                "items": {"type": "array", "items": schema},
                "page": {"type": "integer"}, "pages": {"type": "integer"},
                "total": {"type": "integer"}}}
        success["content"] = {"application/json": {"schema": schema}}
    responses = {status: success}
    # 503: the database could not take the request (locked, disk full); safe to retry.
    for code in ("400", "401", "403", "404", "409", "429", "503"):
        responses[code] = {"$ref": "#/components/responses/Error"}
    operation = {"summary": options["summary"], "tags": [options["tag"]],
                 "responses": responses, "x-auth": options["auth"]}
    if options["auth"] != "anyone":
        operation["security"] = [{"bearer": []}, {"cookie": []}]
    if options["body"] is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": options["body"]}}}
    parameters = []
    if options["query"] is not None:
        parameters.append({"in": "query", "schema": options["query"]})
    if options["paged"]:
        parameters.append({"in": "query", "schema": PAGE_ARGS})
    if parameters:
        operation["parameters"] = parameters
    return operation


def build_spec():
    """The whole document as a dict."""
    spec = APISpec(title="Share Hut API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_namer())])
    spec.components.response("Error", {"description": "Error", "content": {
        "application/json": {"schema": ERROR_SCHEMA}}})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("cookie", {"type": "apiKey", "in": "cookie",
                                               "name": "session"})
    paths = {}
    for rule, method, options in ROUTES:
        path = "/api/v1" + _PARAM.sub(r"{\2}", rule)
        paths.setdefault(path, {"rule": rule, "operations": {}})
        paths[path]["operations"][method.lower()] = _operation(method, options)
    for path, entry in paths.items():
        parameters = [
            {"in": "path", "name": name, "required": True,
             "schema": {"type": "integer", "minimum": 1} if kind == "id" else {"type": "string"}}
            for kind, name in _PARAM.findall(entry["rule"])
        ]
        spec.path(path=path, operations=entry["operations"], parameters=parameters)
    return spec.to_dict()


@endpoint("/openapi.json", auth="anyone", response={"type": "object"})
def openapi_document():
    """This OpenAPI document."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_spec()
    return current_app.extensions["openapi"]
