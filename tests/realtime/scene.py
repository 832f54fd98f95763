"""A neighbourhood set up through the HTTP API of a running server (for real-client tests)."""
import itertools

import requests

_names = itertools.count(1)


class Http:
    """A tiny bearer-token client for /api/v1 of ``base``."""

    def __init__(self, base, token=None):
        self.base = base.rstrip("/") + "/api/v1"
        self.token = token

    @classmethod
    def sign_in(cls, base, username, password):
        """A client holding a fresh token of ``username``."""
        answer = cls(base).post("/auth/tokens", {"username": username, "password": password})
        return cls(base, answer["token"])

    def call(self, method, path, body=None, expect=None):
        """Send a request; fail loudly on an error status (or one other than ``expect``)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = requests.request(method, self.base + path, json=body, headers=headers,
                                    timeout=15)
        if expect is not None:
            assert response.status_code == expect, (path, response.status_code, response.text)
        else:
            assert response.status_code < 400, (path, response.status_code, response.text)
        return response.json() if response.content else None

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None, expect=None):
        return self.call("POST", path, body, expect)


def neighbourhood(base, admin_password="admin-password"):
    """Community → building → two units; verified ``requester`` and ``helper``; ``staff``.

    The server must already hold an administrator ``admin`` (``server.cli("create-admin"...)``).
    Returns a dict of Http clients and ids; every password is ``<username>-password``.
    """
    tag = next(_names)
    admin = Http.sign_in(base, "admin", admin_password)
    community = admin.post("/communities", {"name": f"Live community {tag}"})
    people = {}
    for role in ("staff", "requester", "helper"):
        username = f"{role}{tag}"
        people[role] = Http(base).post("/auth/register", {
            "username": username, "password": f"{username}-password", "display_name": role})
        people[role]["username"] = username
    admin.post(f"/communities/{community['id']}/staff", {"user_id": people["staff"]["id"]})
    staff = Http.sign_in(base, people["staff"]["username"], f"{people['staff']['username']}-password")
    building = staff.post(f"/communities/{community['id']}/buildings",
                          {"name": "B", "lat": 23.0215, "lon": 113.115})
    for number, role in (("101", "requester"), ("302", "helper")):
        unit = staff.post(f"/buildings/{building['id']}/units",
                          {"number": number, "floor_area_m2": "68.90"})
        staff.post(f"/users/{people[role]['id']}/verify",
                   {"unit_id": unit["id"], "relation": "owner"})
    clients = {role: Http.sign_in(base, people[role]["username"],
                                  f"{people[role]['username']}-password")
               for role in ("requester", "helper")}
    return {"community": community, "building": building, "staff": staff, "people": people,
            **clients}


def post_order(requester, title="Leaking tap"):
    """Post an open order as ``requester`` (an Http client)."""
    return requester.post("/orders", {"title": title, "description": "The kitchen tap drips.",
                                      "tags": ["repair.plumbing"]}, expect=201)
