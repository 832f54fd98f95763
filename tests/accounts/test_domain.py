"""Account rules without HTTP: credentials, tokens, verification scope, flags, PIN lockout."""
from datetime import timedelta

import pytest

from mutualaid.accounts import domain
from mutualaid.core.database import utcnow
from mutualaid.core.errors import Conflict, Forbidden, Unauthorized
from tests.factories import PASSWORD, make_community, make_staff, make_unit, make_user


def test_register_then_authenticate_is_case_insensitive(db):
    user = domain.register_user("Liang", "a long password", "梁姨")
    assert user.username == "liang" and user.password_hash.startswith("$argon2id$")
    assert domain.authenticate("LIANG", "a long password") == user


def test_register_taken_username_conflicts(db):
    make_user("taken")
    with pytest.raises(Conflict) as caught:
        domain.register_user("TAKEN", "a long password", "X")
    assert caught.value.code == "username_unavailable"


@pytest.mark.parametrize(("username", "password"), [("nobody", PASSWORD), ("known", "wrong")])
def test_bad_credentials_get_the_same_answer(db, username, password):
    make_user("known")
    with pytest.raises(Unauthorized) as caught:
        domain.authenticate(username, password)
    assert caught.value.code == "invalid_credentials"


def test_deactivated_user_cannot_sign_in(db):
    make_user("gone", active=False)
    with pytest.raises(Unauthorized):
        domain.authenticate("gone", PASSWORD)


def test_tokens_are_stored_hashed_expire_and_revoke(db):
    user = make_user()
    raw = domain.issue_token(user)
    token = domain.token_for(raw)
    assert token.user == user and raw not in token.token_hash
    domain.revoke_token(token)
    assert domain.token_for(raw) is None
    short = domain.issue_token(user, ttl=timedelta(minutes=5))
    domain.token_for(short).expires_at = utcnow() - timedelta(seconds=1)
    assert domain.token_for(short) is None


def test_staff_verify_only_into_their_communities(db):
    unit = make_unit()
    resident = make_user()
    with pytest.raises(Forbidden):
        domain.verify_user(make_staff(), resident, unit, "owner")
    staff = make_staff(unit.building.community)
    domain.verify_user(staff, resident, unit, "tenant")
    assert resident.verified and resident.unit == unit and resident.relation == "tenant"
    assert resident.verified_by_id == staff.id


def test_admin_makes_staff_and_only_admin_can(db):
    community = make_community()
    user = make_user()
    with pytest.raises(Forbidden):
        domain.add_staff(make_staff(community), user, community)
    domain.add_staff(make_user(role="admin"), user, community)
    assert user.role == "staff" and domain.staff_community_ids(user) == {community.id}


def test_flags_set_by_staff_of_the_residents_community(db):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    with pytest.raises(Forbidden):
        domain.set_flags(make_staff(), resident, vulnerable=True)
    domain.set_flags(make_staff(unit.building.community), resident, vulnerable=True, vetted=True)
    assert resident.vulnerable and resident.vetted


def test_five_wrong_pins_lock_for_fifteen_minutes(db):
    user = make_user("pin")
    domain.set_pin(user, user, "2468")
    for _attempt in range(4):
        with pytest.raises(Unauthorized):
            domain.check_pin("pin", "0000")
    assert domain.check_pin("pin", "2468") == user  # a success resets the count
    for _attempt in range(5):
        with pytest.raises(Unauthorized):
            domain.check_pin("pin", "0000")
    with pytest.raises(Forbidden) as caught:
        domain.check_pin("pin", "2468")
    assert caught.value.code == "pin_locked"
    user.pin_locked_until = utcnow() - timedelta(seconds=1)  # 15 minutes later
    assert domain.check_pin("pin", "2468") == user


def test_staff_set_pin_only_for_their_residents(db):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    with pytest.raises(Forbidden):
        domain.set_pin(make_staff(), resident, "1234")
    with pytest.raises(Forbidden):
        domain.set_pin(make_user(), resident, "1234")
    domain.set_pin(make_staff(unit.building.community), resident, "1234")
    assert domain.check_pin(resident.username, "1234") == resident
