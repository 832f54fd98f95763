"""Passwords and PINs are stored as argon2id with at least OWASP's parameters (m=19456 KiB,
t=2, p=1), read back from the hashes themselves, whichever way they were set."""
import pytest
from argon2 import Type, extract_parameters

from mutualaid.accounts import domain
from mutualaid.accounts.models import User
from tests.factories import make_user


def assert_owasp_argon2id(stored):
    """The stored hash is argon2id with at least OWASP's memory and time, one lane."""
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= 19_456
    assert parameters.time_cost >= 2
    assert parameters.parallelism == 1
    assert parameters.salt_len >= 16 and parameters.hash_len >= 32


def test_a_registered_password_is_hashed_with_owasp_parameters(api, db):
    response = api().post("/auth/register", {"username": "fresh", "password": "long enough",
                                             "display_name": "Fresh"})
    assert response.status_code == 201
    user = db.session.scalar(db.select(User).where(User.username == "fresh"))
    assert_owasp_argon2id(user.password_hash)


def test_a_changed_password_is_hashed_with_owasp_parameters(db):
    user = domain.register_user("chen", "long enough", "Chen")
    domain.change_password(user, "long enough", "another long one")
    assert_owasp_argon2id(user.password_hash)


@pytest.mark.parametrize("by_staff", [False, True])
def test_a_pin_is_hashed_with_owasp_parameters(api, db, by_staff):
    resident = make_user()
    actor = make_user(role="admin") if by_staff else resident
    path = f"/users/{resident.id}/pin" if by_staff else "/me/pin"
    assert 200 <= api(actor).put(path, {"pin": "2468"}).status_code < 300
    db.session.refresh(resident)
    assert_owasp_argon2id(resident.pin_hash)
