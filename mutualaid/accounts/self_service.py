"""What a person does with their own account: profile, password, reset codes from the hut,
export of their data and closing the account (PIPL art. 47).

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import (
    change_password, check_new_password, require_staff_over_user, revoke_tokens_of,
)
from mutualaid.accounts.models import ResetCode, User
from mutualaid.accounts.secrets import check_secret, hash_secret, token_digest
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Unit

RESET_TTL = timedelta(hours=24)
# No 0/O or 1/I/L: the code is read aloud at the hut and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LOCALES = {"zh": "zh_CN", "en": "en"}
ERASED_NAME = "—"  # a language-free mark where a closed account's name was
EXPORT_PARTS = []  # (key, function user -> JSON-able) in the export; filled by features.py
GUARDS = []  # functions user -> None raising Conflict while the account may not close
ERASERS = []  # functions user -> None run when an account is closed


def update_profile(user, data):
    """Change one's display name, phone, phone sharing or language."""
    for name in ("display_name", "phone", "share_phone"):
        if name in data:
            setattr(user, name, data[name])
    if "locale" in data:
        user.locale = LOCALES[data["locale"]]
    db.session.flush()
    return user


def change_own_password(user, current, new, keep_token=None):
    """Change the password (the current one checked); every other session and token ends.

    Raises ValidationFailed when the current password is wrong. The caller keeps the cookie
    session in use alive by signing it in again.
    """
    change_password(user, current, new, keep=keep_token)
    db.session.flush()


def _set_password(user, new, keep_token=None):
    """Store a new password hash and end every other way in; raises ValidationFailed for a
    password equal to the username."""
    check_new_password(user.username, new, "new_password")
    user.password_hash = hash_secret(new)
    user.end_sessions()
    revoke_tokens_of(user, keep=keep_token)
    db.session.flush()


def normalise_code(code):
    """A reset code as typed (any case, spaces or dashes) in the stored form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue_reset_code(actor, user, now=None):
    """Staff issue a one-time reset code (24 h) for a resident they have in front of them.

    Earlier unused codes stop working. Raises Forbidden outside the staff member's scope
    (staff accounts: admins only). Returns ``(code, expires_in seconds)``.
    """
    require_staff_over_user(actor, user)
    if user.deleted_at is not None:
        raise Conflict(_("This account has been closed."), code="account_closed")
    now = now or utcnow()
    for earlier in db.session.scalars(sa.select(ResetCode).where(
            ResetCode.user_id == user.id, ResetCode.used_at.is_(None))):
        earlier.used_at = now
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
    db.session.add(ResetCode(user_id=user.id, code_hash=token_digest(raw), issued_by_id=actor.id,
                             created_at=now, expires_at=now + RESET_TTL))
    db.session.flush()
    return f"{raw[:4]}-{raw[4:]}", int(RESET_TTL.total_seconds())


def reset_password(username, code, new, now=None):
    """Set a new password with a reset code; raises ValidationFailed ``invalid_code`` for an
    unknown, used or expired code, or a username it was not issued for (one answer for all)."""
    now = now or utcnow()
    row = db.session.scalar(sa.select(ResetCode).join(User, User.id == ResetCode.user_id).where(
        ResetCode.code_hash == token_digest(normalise_code(code)),
        User.username == username.lower(), User.active))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ValidationFailed(_("This reset code is not valid. "
                                 "Ask at the share hut for a new one."), code="invalid_code",
                               fields={"code": [_("This reset code is not valid.")]})
    row.used_at = now
    user = db.session.get(User, row.user_id)
    _set_password(user, new)
    user.pin_failures = 0
    return user


def export_data(user):
    """Everything the service keeps about ``user``, as JSON-able data (PIPL art. 45)."""
    data = {"exported_at": utcnow().isoformat(), "account": {
        "id": user.id, "username": user.username, "display_name": user.display_name,
        "phone": user.phone, "share_phone": user.share_phone, "role": user.role,
        "locale": user.locale, "relation": user.relation, "unit_id": user.unit_id,
        "verified_at": user.verified_at.isoformat() if user.verified_at else None,
        "vulnerable": user.vulnerable, "vetted": user.vetted, "has_pin": user.pin_hash is not None,
        "created_at": user.created_at.isoformat()}}
    for key, part in EXPORT_PARTS:
        data[key] = part(user)
    return data


def delete_account(user, password):
    """Close one's own account: names and phone erased in place, every way in ended.

    Ids, the ledger, order histories and ballot records stay (and so the votes' hash chains
    still verify). Raises ValidationFailed for a wrong password, Forbidden for staff
    accounts (an administrator closes those) and whatever Conflict a feature's guard raises
    (votes: ``owner_in_open_vote``).
    """
    if not check_secret(user.password_hash, password):
        raise ValidationFailed(_("The password is wrong."),
                               fields={"password": [_("The password is wrong.")]})
    if user.is_staff:
        raise Forbidden(_("Staff accounts are closed by an administrator."))
    for guard in GUARDS:
        guard(user)
    for erase in ERASERS:
        erase(user)
    # "~" is outside the username alphabet: no one can register the freed name's placeholder.
    user.username = f"~deleted-{user.id}"
    user.display_name, user.phone, user.locale = ERASED_NAME, None, None
    user.password_hash = "!"  # no argon2 hash matches: nobody signs in again
    user.pin_hash, user.active, user.deleted_at = None, False, utcnow()
    _forget_home(user)
    _end_everything(user)
    db.session.flush()


def _forget_home(user):
    """Where they lived goes too: their flats have no owner of record until staff record the
    new one (closed votes keep their frozen electorate, so their recounts do not change)."""
    db.session.execute(sa.update(Unit).where(Unit.owner_id == user.id).values(owner_id=None))
    user.unit_id, user.relation = None, None


def _end_everything(user):
    """End every session, token and reset code of a closed account."""
    user.end_sessions()
    revoke_tokens_of(user)
    db.session.execute(sa.update(ResetCode).where(
        ResetCode.user_id == user.id, ResetCode.used_at.is_(None)).values(used_at=utcnow()))
