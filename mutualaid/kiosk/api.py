"""/api/v1 routes for kiosks: staff manage tokens; a kiosk signs people in and reads its board."""
from flask import url_for
from flask_login import current_user

from mutualaid.accounts.auth import bearer_token
from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.kiosk import domain
from mutualaid.kiosk.board import board_for
from mutualaid.kiosk.models import Kiosk
from mutualaid.kiosk.schemas import (
    BoardSchema, IssuedKioskSchema, KioskSchema, KioskSignInSchema, KioskTokenSchema,
    PersonListSchema, issued_kiosk_schema, kiosk_schema, person_schema,
)
from mutualaid.places.models import Building

SIGN_IN_LIMIT = "30/minute"


@endpoint("/kiosks", "POST", body=KioskSchema(), response=IssuedKioskSchema, status=201,
          auth="staff")
def issue_kiosk(data):
    """Staff: register a kiosk for a building; the token is shown once."""
    building = get_or_404(Building, data["building_id"])
    kiosk, raw = domain.issue_kiosk(current_user, building, data["name"])
    db.session.commit()
    kiosk.token = raw
    kiosk.url = url_for("kiosk.screen", token=raw, _external=True)
    return issued_kiosk_schema.dump(kiosk), 201


@endpoint("/kiosks", response=KioskSchema, auth="staff", paged=True)
def list_kiosks(args):
    """Staff: the kiosks of my communities (live ones first)."""
    return page_of(domain.kiosks_for(current_user), kiosk_schema.dump, args)


@endpoint("/kiosks/<id:kiosk_id>", "DELETE", status=204, auth="staff")
def revoke_kiosk(kiosk_id):
    """Staff: revoke a kiosk token."""
    domain.revoke_kiosk(current_user, get_or_404(Kiosk, kiosk_id))
    db.session.commit()
    return "", 204


@endpoint("/kiosk/sign-in", "POST", body=KioskSignInSchema(), response=KioskTokenSchema,
          status=201, auth="anyone", limit=SIGN_IN_LIMIT)
def sign_in(data):
    """A kiosk (its token as bearer) signs a person in for 5 minutes: residents with their
    PIN, staff with their password; the token is kiosk-scoped."""
    kiosk = domain.require_kiosk(bearer_token())
    try:
        user, token = domain.sign_in(kiosk, data["username"], data["pin"], data["password"])
    finally:
        db.session.commit()  # a wrong PIN must count even though we answer an error
    expires_in = int(domain.SIGN_IN_TTL.total_seconds())
    return {"token": token, "expires_in": expires_in,
            "user": {"id": user.id, "display_name": user.display_name,
                     "is_staff": user.is_staff}}, 201


@endpoint("/kiosk/board", response=BoardSchema, auth="anyone")
def board():
    """A kiosk (its token as bearer): its building's live board."""
    return board_for(domain.require_kiosk(bearer_token()))


@endpoint("/kiosk/people", response=PersonListSchema, auth="anyone")
def people():
    """A kiosk (its token as bearer): residents of its building who can sign in with a PIN."""
    kiosk = domain.require_kiosk(bearer_token())
    return {"items": [person_schema.dump(user) for user in domain.people_here(kiosk)]}
