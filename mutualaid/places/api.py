"""/api/v1 routes for communities, buildings, units and owners of record."""
import sqlalchemy as sa
from flask_login import current_user

from mutualaid.accounts.domain import require_staff_of
from mutualaid.accounts.models import User
from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.places import domain
from mutualaid.places.models import Building, Community, Unit
from mutualaid.places.schemas import (
    BuildingSchema, CommunitySchema, OwnerSchema, UnitSchema, building_schema,
    community_schema, unit_schema,
)


@endpoint("/communities", "POST", body=CommunitySchema(), response=CommunitySchema,
          status=201, auth="admin")
def create_community(data):
    """Admin: create a community."""
    community = domain.create_community(current_user, data["name"])
    db.session.commit()
    return community_schema.dump(community), 201


@endpoint("/communities", response=CommunitySchema, paged=True)
def list_communities(args):
    """All communities, by name."""
    select = sa.select(Community).order_by(Community.name, Community.id)
    return page_of(select, community_schema.dump, args)


@endpoint("/communities/<id:community_id>/buildings", "POST", body=BuildingSchema(),
          response=BuildingSchema, status=201, auth="staff")
def add_building(community_id, data):
    """Staff: add a building with its position."""
    building = domain.add_building(current_user, get_or_404(Community, community_id), **data)
    db.session.commit()
    return building_schema.dump(building), 201


@endpoint("/communities/<id:community_id>/buildings", response=BuildingSchema, paged=True)
def list_buildings(community_id, args):
    """The buildings of a community (404 outside one's own and those one serves)."""
    select = domain.buildings_of(current_user, get_or_404(Community, community_id))
    return page_of(select, building_schema.dump, args)


@endpoint("/buildings/<id:building_id>/units", "POST", body=UnitSchema(), response=UnitSchema,
          status=201, auth="staff")
def add_unit(building_id, data):
    """Staff: add a unit with its floor area in m² ("33.33")."""
    building = get_or_404(Building, building_id)
    unit = domain.add_unit(current_user, building, data["number"], data["area_hundredths"],
                           data["floor"])
    db.session.commit()
    return unit_schema.dump(unit), 201


@endpoint("/buildings/<id:building_id>/units", response=UnitSchema, auth="staff", paged=True)
def list_units(building_id, args):
    """Staff: the units of a building with their owners of record."""
    building = get_or_404(Building, building_id)
    require_staff_of(current_user, building.community_id)
    select = (sa.select(Unit).where(Unit.building_id == building_id)
              .order_by(Unit.floor, Unit.number))
    return page_of(select, unit_schema.dump, args)


@endpoint("/units/<id:unit_id>/owner", "POST", body=OwnerSchema(), response=UnitSchema,
          auth="staff")
def set_owner(unit_id, data):
    """Staff: set (or with null clear) the owner of record of a unit."""
    unit = get_or_404(Unit, unit_id)
    owner = get_or_404(User, data["user_id"]) if data["user_id"] else None
    domain.set_owner(current_user, unit, owner)
    db.session.commit()
    return unit_schema.dump(unit)
