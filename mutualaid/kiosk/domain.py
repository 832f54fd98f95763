"""Kiosk rules: staff issue and revoke kiosk tokens; a kiosk signs a person in briefly.

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.domain import require_staff_of, staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.accounts.secrets import check_secret, new_token, token_digest
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Unauthorized
from mutualaid.core.extensions import db
from mutualaid.kiosk.models import Kiosk
from mutualaid.places.models import Building
from mutualaid.realtime.rooms import room

SIGN_IN_TTL = timedelta(minutes=5)


def issue_kiosk(actor, building, name):
    """Staff register a kiosk for a building; returns (kiosk, raw token). Raises Forbidden."""
    require_staff_of(actor, building.community_id)
    raw, digest = new_token()
    kiosk = Kiosk(name=name, building_id=building.id, token_hash=digest,
                  created_by_id=actor.id, created_at=utcnow())
    db.session.add(kiosk)
    db.session.flush()
    return kiosk, raw


def kiosks_for(actor):
    """A select of the kiosks of the communities ``actor`` serves (all, for admins)."""
    select = sa.select(Kiosk).join(Building)
    if actor.role != "admin":
        select = select.where(Building.community_id.in_(staff_community_ids(actor)))
    return select.order_by(Kiosk.revoked_at.is_not(None), Kiosk.name, Kiosk.id)


def revoke_kiosk(actor, kiosk):
    """Staff revoke a kiosk: its token stops working at once. Raises Forbidden or Conflict."""
    require_staff_of(actor, kiosk.community_id)
    if kiosk.revoked_at is not None:
        raise Conflict(_("This kiosk is already revoked."), code="already_revoked")
    kiosk.revoked_at = utcnow()
    db.session.flush()


def kiosk_for(raw):
    """The live kiosk of a raw kiosk token, or None."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        return None
    kiosk = db.session.scalar(sa.select(Kiosk).where(Kiosk.token_hash == token_digest(raw)))
    return kiosk if kiosk is not None and kiosk.revoked_at is None else None


def require_kiosk(raw):
    """The live kiosk of a raw token; raises Unauthorized ``kiosk_unknown`` otherwise."""
    kiosk = kiosk_for(raw)
    if kiosk is None:
        raise Unauthorized(_("This kiosk is not registered or was revoked."),
                           code="kiosk_unknown")
    return kiosk


def sign_in(kiosk, username, pin=None, password=None):
    """Sign a person in at a kiosk for 5 minutes: residents of its community with their PIN,
    its staff (and admins) with their password; returns (user, raw kiosk-scoped token).

    Raises Unauthorized ``invalid_credentials`` for anyone else, before any PIN is checked
    or counted (no PIN oracle, no lock-out from another community's lobby), and for a staff
    account offered a PIN; Forbidden ``pin_locked`` (the caller commits even then, so that
    failures count).
    """
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    secret = password if user is not None and user.is_staff else pin
    if user is None or not user.active or not _belongs_here(user, kiosk.community_id) \
            or secret is None:
        check_secret(None, secret or "")  # the same time as a real check: no timing oracle
        raise _not_signed_in(password)
    if user.is_staff:
        user = accounts.authenticate(username, password)
    else:
        user = accounts.check_pin(username, pin)
    return user, accounts.issue_token(user, SIGN_IN_TTL, kiosk=kiosk)


def _not_signed_in(password):
    """The one answer for a wrong name, PIN or password, or someone who does not belong."""
    message = _("Wrong username or PIN.") if password is None else \
        _("Wrong username or password.")
    return Unauthorized(message, code="invalid_credentials")


def _belongs_here(user, community_id):
    """Residents of the community, its staff and admins may sign in at its kiosks."""
    if user.role == "admin" or community_id in staff_community_ids(user):
        return True
    return user.unit is not None and user.unit.building.community_id == community_id


def kiosk_rooms(kiosk):
    """The Socket.IO rooms a kiosk listens to: its building's and its community's."""
    return [room("building", kiosk.building_id), room("community", kiosk.community_id)]


def people_here(kiosk):
    """Residents of the kiosk's building who have a PIN, for picking a name instead of typing."""
    from mutualaid.places.models import Unit

    return db.session.scalars(
        sa.select(User).join(Unit, User.unit_id == Unit.id)
        .where(Unit.building_id == kiosk.building_id, User.active.is_(True),
               User.role == "resident",
               User.pin_hash.is_not(None))
        .order_by(User.display_name, User.id)
    ).all()
