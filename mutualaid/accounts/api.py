"""/api/v1 routes for accounts: register, tokens, me, PINs, verification, flags, staff."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask import g
from flask_login import current_user

from mutualaid.accounts import domain
from mutualaid.accounts.models import User
from mutualaid.accounts.schemas import (
    CredentialsSchema, FlagsSchema, MeSchema, PinSchema, RegisterSchema, StaffUserSchema,
    TokenSchema, UserIdSchema, UserQuerySchema, VerifySchema, me_schema, staff_user_schema,
)
from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.errors import ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Community, Unit

AUTH_LIMIT = "20/minute"
ME_EXTRAS = []  # functions user -> dict merged into ``GET /me``, filled by features.py


def dump_me(user):
    """The ``GET /me`` shape, extended by features that add to it (``ME_EXTRAS``)."""
    data = me_schema.dump(user)
    for extra in ME_EXTRAS:
        data |= extra(user)
    return data


@endpoint("/auth/register", "POST", body=RegisterSchema(), response=MeSchema, status=201,
          auth="anyone", limit=AUTH_LIMIT)
def register(data):
    """Create a resident account."""
    user = domain.register_user(**data)
    db.session.commit()
    return dump_me(user), 201


@endpoint("/auth/tokens", "POST", body=CredentialsSchema(), response=TokenSchema, status=201,
          auth="anyone", limit=AUTH_LIMIT)
def create_token(data):
    """Exchange a username and password for a bearer token."""
    user = domain.authenticate(data["username"], data["password"])
    token = domain.issue_token(user)
    db.session.commit()
    return {"token": token, "user": dump_me(user)}, 201


@endpoint("/auth/tokens/current", "DELETE", status=204)
def revoke_current_token():
    """Revoke the bearer token used for this request."""
    token = g.get("api_token")
    if token is None:
        raise ValidationFailed(_("This request was not made with a bearer token."), code="no_token")
    domain.revoke_token(token)
    db.session.commit()
    return "", 204


@endpoint("/me", response=MeSchema)
def me():
    """The signed-in user, with unit, verification and credits."""
    return dump_me(current_user)


@endpoint("/me/pin", "PUT", body=PinSchema(), status=204)
def set_my_pin(data):
    """Set my kiosk PIN (4–6 digits)."""
    domain.set_pin(current_user, current_user, data["pin"])
    db.session.commit()
    return "", 204


@endpoint("/users/<id:user_id>/pin", "PUT", body=PinSchema(), status=204, auth="staff")
def set_user_pin(user_id, data):
    """Staff set a resident's kiosk PIN."""
    domain.set_pin(current_user, get_or_404(User, user_id), data["pin"])
    db.session.commit()
    return "", 204


@endpoint("/users", query=UserQuerySchema(), response=StaffUserSchema, auth="staff",
          paged=True)
def list_users(args):
    """Staff: residents of my communities and those waiting for verification, newest first;
    ``?verified=false`` is the verification queue."""
    select = domain.residents_for(current_user).order_by(User.id.desc())
    if args["verified"] is not None:
        column = User.verified_at
        select = select.where(column.is_not(None) if args["verified"] else column.is_(None))
    if args["q"]:
        pattern = f"%{args['q']}%"
        select = select.where(sa.or_(User.username.ilike(pattern),
                                     User.display_name.ilike(pattern), User.phone.ilike(pattern)))
    return page_of(select, staff_user_schema.dump, args)


@endpoint("/users/<id:user_id>/verify", "POST", body=VerifySchema(), response=StaffUserSchema,
          auth="staff")
def verify(user_id, data):
    """Staff verify a resident into a unit with a relation (owner, tenant, family)."""
    user = get_or_404(User, user_id)
    unit = get_or_404(Unit, data["unit_id"])
    domain.verify_user(current_user, user, unit, data["relation"])
    db.session.commit()
    return staff_user_schema.dump(user)


@endpoint("/users/<id:user_id>/flags", "PATCH", body=FlagsSchema(), response=StaffUserSchema,
          auth="staff")
def set_flags(user_id, data):
    """Staff mark a resident vulnerable or a helper vetted."""
    user = get_or_404(User, user_id)
    domain.set_flags(current_user, user, **data)
    db.session.commit()
    return staff_user_schema.dump(user)


@endpoint("/communities/<id:community_id>/staff", "POST", body=UserIdSchema(),
          response=StaffUserSchema, auth="admin")
def add_staff(community_id, data):
    """Admin: make a user staff of a community (effective at once, tokens included)."""
    community = get_or_404(Community, community_id)
    user = get_or_404(User, data["user_id"])
    domain.add_staff(current_user, user, community)
    db.session.commit()
    return staff_user_schema.dump(user)
