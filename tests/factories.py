"""Small factories for tests: each makes one thing, flushed, with sensible defaults."""
import itertools

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import StaffMembership, User
from mutualaid.accounts.secrets import hash_secret
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community, Unit

PASSWORD = "correct horse"
_PASSWORD_HASH = hash_secret(PASSWORD)  # hashing once keeps the suite fast
_counter = itertools.count(1)


def make_community(name=None):
    """A community."""
    community = Community(name=name or f"Community {next(_counter)}")
    db.session.add(community)
    db.session.flush()
    return community


def make_building(community=None, name=None, lat=23.0215, lon=113.1150):
    """A building (in a new community unless one is given)."""
    community = community or make_community()
    building = Building(community_id=community.id, name=name or f"B{next(_counter)}",
                        lat=lat, lon=lon)
    db.session.add(building)
    db.session.flush()
    return building


def make_unit(building=None, number=None, area="75.12", owner=None, floor=None):
    """A unit with an area in m² (a string, kept exact)."""
    from mutualaid.places.areas import parse_area

    building = building or make_building()
    number = number or f"{next(_counter) % 30 + 1}01"
    unit = Unit(building_id=building.id, number=number, area_hundredths=parse_area(area),
                floor=floor if floor is not None else int(number[:-2] or 0),
                owner_id=owner.id if owner else None)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(username=None, role="resident", verified=False, unit=None, relation="owner",
              display_name=None, phone="13800000000", **flags):
    """A user (password ``PASSWORD``); ``verified=True`` gives them a unit if none is given."""
    username = username or f"user{next(_counter)}"
    user = User(username=username, display_name=display_name or username.title(), phone=phone,
                password_hash=_PASSWORD_HASH, role=role, **flags)
    if verified:
        unit = unit or make_unit()
        user.unit_id, user.relation, user.verified_at = unit.id, relation, utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def make_staff(community=None, username=None):
    """A staff member of ``community`` (a new one unless given)."""
    community = community or make_community()
    user = make_user(username=username, role="staff")
    db.session.add(StaffMembership(user_id=user.id, community_id=community.id))
    db.session.flush()
    return user


class ApiClient:
    """Calls /api/v1 as a user with a real bearer token."""

    def __init__(self, client, user=None):
        self.client = client
        self.headers = {}
        if user is not None:
            token = accounts.issue_token(user)
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, json=None, **kwargs):
        """Send a request to ``/api/v1`` + ``path``."""
        return self.client.open("/api/v1" + path, method=method, json=json,
                                headers=self.headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.call("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)
