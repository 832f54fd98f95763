"""Appeal factories: a street with a community, a grid, its people, and appeals in any status."""
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image

from mutualaid.accounts.models import User
from mutualaid.appeals import domain
from mutualaid.streets import domain as streets
from tests.factories import make_building, make_community, make_staff, make_unit, make_user

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai, a Monday


@dataclass
class Street:
    """A street of one community: a building in a grid, one outside it, and their people."""

    street: object
    community: object
    gridded: object  # a building in the grid
    loose: object  # a building in no grid
    grid: object
    appellant: User
    neighbour: User
    worker: User
    staff: User
    street_staff: User
    admin: User


def make_street(name="Zumiao"):
    """A street with one community, one grid, a grid worker, staff and street staff."""
    admin = make_user(role="admin")
    community = make_community()
    gridded = make_building(community, "G1", lat=23.0215, lon=113.1150)
    loose = make_building(community, "L1", lat=23.0240, lon=113.1150)  # about 280 m north
    appellant = make_user(verified=True, unit=make_unit(gridded, "101"))
    neighbour = make_user(verified=True, unit=make_unit(gridded, "201"))
    worker = make_user(verified=True, unit=make_unit(loose, "301"))
    staff = make_staff(community)
    street = streets.create_street(admin, name)
    streets.add_community(admin, street, community)
    street_staff = make_user(role="staff")
    streets.add_street_staff(admin, street, street_staff)
    grid = streets.create_grid(staff, community, "Grid 1", [gridded.id], [worker.id])
    return Street(street, community, gridded, loose, grid, appellant, neighbour, worker, staff,
                  street_staff, admin)


def file(place, building=None, now=T0, **data):
    """File an appeal by the street's appellant (in the grid unless a building is given)."""
    data = {"category": "environment", "title": "Rubbish by the gate",
            "description": "Bins overflow", "building_id": (building or place.gridded).id} | data
    return domain.file_appeal(data.pop("actor", place.appellant), data, now=now)


def appeal_in(status, place, now=T0):
    """An appeal brought to ``status`` at the grid level, each step a minute apart."""
    appeal = file(place, now=now)
    step = now
    path = {"accepted": ["accept"], "in_progress": ["accept", "start"],
            "resolved": ["accept", "start", "resolve"],
            "closed": ["accept", "start", "resolve", "rate"],
            "reopened": ["accept", "start", "resolve", "unsatisfied"],
            "rejected": ["reject"], "duplicate": ["merge"], "submitted": []}[status]
    for action in path:
        step += timedelta(minutes=1)
        _act(action, place, appeal, step)
    return appeal


def _act(action, place, appeal, now):
    """One step by the person who takes it."""
    if action == "accept":
        domain.accept_appeal(place.worker, appeal, now)
    elif action == "start":
        domain.start_appeal(place.worker, appeal, now)
    elif action == "resolve":
        domain.resolve_appeal(place.worker, appeal, "Cleared", now)
    elif action == "rate":
        domain.rate_appeal(place.appellant, appeal, "satisfied", now=now)
    elif action == "unsatisfied":
        domain.rate_appeal(place.appellant, appeal, "unsatisfied", now=now)
    elif action == "reject":
        domain.reject_appeal(place.worker, appeal, "Not ours", now)
    elif action == "merge":
        other = file(place, now=now)
        domain.merge_appeal(place.worker, appeal, other, now)


def png(size=(40, 30)):
    """A small PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, "PNG")
    return buffer.getvalue()
