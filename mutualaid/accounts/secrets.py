"""Hashing of passwords and PINs (argon2id, OWASP parameters) and of bearer tokens (SHA-256)."""
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the user does not exist, so a wrong username costs the same time.
_DUMMY_HASH = _hasher.hash("no such user")


def hash_secret(secret):
    """Hash a password or PIN with argon2id."""
    return _hasher.hash(secret)


def check_secret(stored_hash, secret):
    """True when ``secret`` matches ``stored_hash``; a missing hash still costs one verify."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token():
    """A fresh random bearer token and its SHA-256 hex digest (which is what we store)."""
    raw = secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def token_digest(raw):
    """The SHA-256 hex digest of a bearer token."""
    return hashlib.sha256(raw.encode()).hexdigest()
