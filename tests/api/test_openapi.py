"""The OpenAPI document lists every /api/v1 route with its methods."""
import re


def test_openapi_lists_every_api_route_and_method(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in document["paths"].items()
                  for method in item if method != "parameters"}
    routed = {
        ("/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")),
         method)
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented


def test_operations_document_bodies_errors_and_auth(client):
    document = client.get("/api/v1/openapi.json").json
    register = document["paths"]["/api/v1/auth/register"]["post"]
    assert "requestBody" in register and "201" in register["responses"]
    assert register["responses"]["400"] == {"$ref": "#/components/responses/Error"}
    me = document["paths"]["/api/v1/me"]["get"]
    assert me["security"] and me["x-auth"] == "user"
    schemas = document["components"]["schemas"]
    assert {"Register", "Me", "Unit"} <= set(schemas)
    assert "password" not in schemas["Me"]["properties"]
