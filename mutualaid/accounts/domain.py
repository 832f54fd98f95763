"""Account rules: registration, credentials, tokens, verification, flags, PINs, staff scope.

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
"""
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from mutualaid.accounts import token_cache
from mutualaid.accounts.models import ApiToken, StaffMembership, User
from mutualaid.accounts.secrets import check_secret, hash_secret, new_token, token_digest
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Unit

PIN_MAX_FAILURES = 5
PIN_LOCK = timedelta(minutes=15)


def register_user(username, password, display_name, phone=None, role="resident"):
    """Create an account; raises Conflict when the username is taken, ValidationFailed when
    the password is the username."""
    username = username.lower()
    check_new_password(username, password)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict(
            _("This username is not available."), code="username_unavailable",
            fields={"username": [_("This username is not available.")]},
        )
    user = User(
        username=username, display_name=display_name, phone=phone,
        password_hash=hash_secret(password), role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username, password):
    """The active user with these credentials; raises Unauthorized (same answer for any miss)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    if not check_secret(user.password_hash if user else None, password) or not user.active:
        raise Unauthorized(_("Wrong username or password."), code="invalid_credentials")
    return user


def issue_token(user, ttl=None, kiosk=None):
    """Create a bearer token for ``user`` (expiring after ``ttl`` if given, scoped to
    ``kiosk`` if given); returns the raw token."""
    raw, digest = new_token()
    expires = utcnow() + ttl if ttl else None
    db.session.add(ApiToken(user_id=user.id, token_hash=digest, expires_at=expires,
                            kiosk_id=kiosk.id if kiosk else None))
    db.session.flush()
    return raw


def token_for(raw):
    """The live ApiToken row for a raw bearer token, or None (recently read tokens come from
    ``token_cache``; expiry, revocation and the user's state are checked on each use)."""
    token = token_cache.fetch(token_digest(raw), _read_token)
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    return token if token.user.active else None


def _read_token(session, digest):
    """One query: the token with its user and the user's unit and building (what community
    checks read next)."""
    return session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == digest)
        .options(so.joinedload(ApiToken.user).joinedload(User.unit).joinedload(Unit.building)))


def revoke_token(token):
    """Revoke a bearer token; it stops working at once."""
    token.revoked_at = utcnow()


def revoke_tokens_of(user, kiosk_only=False, keep=None):
    """Revoke the live bearer tokens of ``user`` (only its kiosk sign-ins with
    ``kiosk_only``), but ``keep``; their sockets are dropped too (realtime.credentials)."""
    statement = (sa.update(ApiToken).where(ApiToken.user_id == user.id,
                                           ApiToken.revoked_at.is_(None))
                 .values(revoked_at=utcnow()))
    if kiosk_only:
        statement = statement.where(ApiToken.kiosk_id.is_not(None))
    if keep is not None:
        statement = statement.where(ApiToken.id != keep.id)
    db.session.execute(statement)


def staff_community_ids(user):
    """Ids of the communities this staff member serves (empty for residents)."""
    if not user.is_staff:
        return set()
    return set(db.session.scalars(
        sa.select(StaffMembership.community_id).where(StaffMembership.user_id == user.id)
    ))


def visible_community_ids(viewer):
    """The communities whose people, places and offers ``viewer`` may see: their home
    community and those they serve as staff; None (every community) for admins."""
    if viewer.role == "admin":
        return None
    ids = staff_community_ids(viewer)
    if viewer.unit is not None:
        ids.add(viewer.unit.building.community_id)
    return ids


def community_of(user):
    """The id of the community ``user`` lives in, or None before verification."""
    return user.unit.building.community_id if user.unit is not None else None


def require_staff_of(actor, community_id):
    """Raise Forbidden unless ``actor`` is an admin or staff of that community."""
    if actor.role == "admin":
        return
    if community_id not in staff_community_ids(actor):
        raise Forbidden(_("Only staff of this community may do this."))


def require_admin(actor):
    """Raise Forbidden unless ``actor`` is an admin."""
    if actor.role != "admin":
        raise Forbidden(_("Only an administrator may do this."))


def require_verified(actor):
    """Raise Forbidden (code ``not_verified``) unless staff have verified ``actor``."""
    if not actor.verified:
        raise Forbidden(_("Please have your identity verified at the share hut first."),
                        code="not_verified")


def add_staff(actor, user, community):
    """Make ``user`` staff of ``community`` (admins only); effective at once for live tokens."""
    require_admin(actor)
    if user.role == "resident":
        user.role = "staff"
    if db.session.get(StaffMembership, (user.id, community.id)) is None:
        db.session.add(StaffMembership(user_id=user.id, community_id=community.id))
    db.session.flush()
    return user


def verify_user(actor, user, unit, relation):
    """Staff verify ``user`` as living in ``unit`` with ``relation`` (owner, tenant, family).

    Raises Forbidden unless ``actor`` is staff of the unit's community and, for someone
    already verified elsewhere, of that community too (no moving people out of another's).
    With ``owner`` the user becomes the unit's owner of record in the same step (so they can
    vote at once); Conflict ``unit_has_owner``, changing nothing, when another is recorded.
    """
    require_staff_over_user(actor, user)
    require_staff_of(actor, unit.building.community_id)
    if relation == "owner":
        if unit.owner_id is not None and unit.owner_id != user.id:
            message = _("This unit already has an owner of record. "
                        "Change it on the building's page first.")
            raise Conflict(message, code="unit_has_owner")
        unit.owner_id = user.id
    user.unit = unit
    user.relation = relation
    user.verified_at = utcnow()
    user.verified_by_id = actor.id
    db.session.flush()
    return user


def require_staff_over_user(actor, user):
    """Raise Forbidden unless ``actor`` is staff where ``user`` lives (admins anywhere).

    Staff and admin accounts answer to admins only: staff setting an admin's kiosk PIN could
    sign in as that admin at their own kiosk.
    """
    if actor.role == "admin":
        return
    if user.role != "resident" and user.id != actor.id:
        raise Forbidden(_("Only an administrator may change a staff account."))
    if user.unit is None:
        if not actor.is_staff:
            raise Forbidden(_("Only staff may do this."))
        return
    require_staff_of(actor, user.unit.building.community_id)


def residents_for(actor):
    """A select of the residents staff may look up: those of their communities (all, for
    admins) and those not yet verified into any unit (the queue is shared: newcomers come to
    whichever share hut is nearest)."""
    select = sa.select(User).where(User.role == "resident")
    if actor.role == "admin":
        return select
    mine = (sa.select(Unit.id).join(Building, Building.id == Unit.building_id)
            .where(Building.community_id.in_(staff_community_ids(actor))))
    return select.where(sa.or_(User.unit_id.is_(None), User.unit_id.in_(mine)))


def verified_residents_of(community_id):
    """The active, verified people living in a community, by building, unit and name."""
    return db.session.scalars(
        sa.select(User).join(Unit, User.unit_id == Unit.id).join(Building)
        .where(Building.community_id == community_id, User.verified_at.is_not(None),
               User.active.is_(True))
        .options(so.contains_eager(User.unit).contains_eager(Unit.building))
        .order_by(Building.name, Unit.number, User.display_name)).all()


def set_flags(actor, user, vulnerable=None, vetted=None):
    """Staff mark a resident vulnerable or a helper vetted."""
    require_staff_over_user(actor, user)
    if vulnerable is not None:
        user.vulnerable = vulnerable
    if vetted is not None:
        user.vetted = vetted
    db.session.flush()
    return user


def set_pin(actor, user, pin):
    """Set the kiosk PIN of ``user`` (themselves, or staff for them); clears any lock and
    ends the kiosk sign-ins the old PIN made."""
    if actor.id != user.id:
        require_staff_over_user(actor, user)
    user.pin_hash = hash_secret(pin)
    user.pin_failures = 0
    user.pin_locked_until = None
    db.session.flush()
    revoke_tokens_of(user, kiosk_only=True)


def check_pin(username, pin):
    """The user whose PIN this is; 5 misses lock it for 15 minutes (Forbidden ``pin_locked``).

    Raises Unauthorized ``invalid_credentials`` for a wrong username or PIN. The caller
    commits even when this raises, so that the failure counts.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    now = utcnow()
    if user is not None and user.pin_locked_until and user.pin_locked_until > now:
        raise Forbidden(_("Too many wrong PINs. Try again in 15 minutes."), code="pin_locked")
    if user is None or not user.active or not check_secret(user.pin_hash, pin):
        if user is not None and user.pin_hash:
            user.pin_failures += 1
            if user.pin_failures >= PIN_MAX_FAILURES:
                user.pin_failures = 0
                user.pin_locked_until = now + PIN_LOCK
        raise Unauthorized(_("Wrong username or PIN."), code="invalid_credentials")
    user.pin_failures = 0
    return user


def check_new_password(username, password, field="password"):
    """Raise ValidationFailed (on ``field``) when a new password is the username, in any
    letter case (length and the common-passwords list are the ``NewPassword`` field's)."""
    if password.strip().lower() == username.lower():
        message = _("Your password may not be your username.")
        raise ValidationFailed(message, code="invalid_input", fields={field: [message]})


def change_password(user, current, new, keep=None):
    """Change a password after checking the current one; signs out every cookie session and
    revokes every bearer token but ``keep`` (the one in use).

    Raises ValidationFailed for a wrong current password or a new one equal to the username.
    """
    if not check_secret(user.password_hash, current):
        raise ValidationFailed(_("Current password is wrong."),
                               fields={"current_password": [_("Current password is wrong.")]})
    check_new_password(user.username, new, "new_password")
    user.password_hash = hash_secret(new)
    user.end_sessions()
    revoke_tokens_of(user, keep=keep)
