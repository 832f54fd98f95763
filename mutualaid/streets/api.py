"""/api/v1 routes for streets (admins) and grids (a community's staff)."""
from flask_login import current_user

from mutualaid.accounts.models import User
from mutualaid.api import endpoint
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.places.models import Community
from mutualaid.streets import domain
from mutualaid.streets.models import Grid, Street
from mutualaid.streets.schemas import (
    GridPatchSchema, GridSchema, StreetCommunityInSchema, StreetSchema, UserIdSchema,
)


def _street(street):
    """A street with its communities."""
    return {"id": street.id, "name": street.name,
            "community_ids": sorted(domain.street_community_ids(street.id))}


@endpoint("/streets", "POST", body=StreetSchema(), response=StreetSchema, status=201,
          auth="admin")
def create_street(data):
    """Admin: create a street."""
    street = domain.create_street(current_user, data["name"])
    db.session.commit()
    return _street(street), 201


@endpoint("/streets/<id:street_id>/communities", "POST", body=StreetCommunityInSchema(),
          response=StreetSchema, auth="admin")
def add_community(street_id, data):
    """Admin: move a community into the street."""
    street = get_or_404(Street, street_id)
    community = get_or_404(Community, data["community_id"])
    domain.add_community(current_user, street, community)
    db.session.commit()
    return _street(street)


@endpoint("/streets/<id:street_id>/staff", "POST", body=UserIdSchema(), response=StreetSchema,
          auth="admin")
def add_staff(street_id, data):
    """Admin: make a user staff of the street."""
    street = get_or_404(Street, street_id)
    domain.add_street_staff(current_user, street, get_or_404(User, data["user_id"]))
    db.session.commit()
    return _street(street)


@endpoint("/communities/<id:community_id>/grids", "POST", body=GridSchema(),
          response=GridSchema, status=201, auth="staff")
def create_grid(community_id, data):
    """Staff: make a grid of the community's buildings with its grid workers."""
    community = get_or_404(Community, community_id)
    building_ids, worker_ids = sorted(set(data["building_ids"])), sorted(set(data["worker_ids"]))
    grid = domain.create_grid(current_user, community, data["name"], building_ids, worker_ids)
    db.session.commit()
    return _grid(grid), 201


@endpoint("/grids/<id:grid_id>", "PATCH", body=GridPatchSchema(), response=GridSchema,
          auth="staff")
def update_grid(grid_id, data):
    """Staff: rename a grid of my community or change its buildings or workers."""
    grid = get_or_404(Grid, grid_id)
    changes = {key: sorted(set(value)) if key != "name" else value
               for key, value in data.items()}
    domain.update_grid(current_user, grid, **changes)
    db.session.commit()
    return _grid(grid)


def _grid(grid):
    """A grid with its buildings and workers."""
    buildings, workers = domain.grid_members([grid.id])
    return {"id": grid.id, "community_id": grid.community_id, "name": grid.name,
            "building_ids": sorted(buildings[grid.id]), "worker_ids": sorted(workers[grid.id])}
