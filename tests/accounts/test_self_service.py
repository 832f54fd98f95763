"""Account self-service: profile, password change, reset codes from the hut, export, closing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mutualaid.accounts import self_service
from mutualaid.accounts.models import ApiToken, ResetCode, User
from mutualaid.accounts.secrets import check_secret
from mutualaid.catalogue import domain as catalogue
from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Unit
from mutualaid.votes import domain as votes
from mutualaid.votes.models import Ballot, Vote
from tests.accounts.test_api import csrf_token, sign_in
from tests.catalogue.factories import make_session
from tests.factories import PASSWORD, make_building, make_staff, make_unit, make_user
from tests.orders.factories import make_neighbourhood, order_in
from tests.security.test_sessions import limited  # noqa: F401  (the rate-limited world)

NEW = "a new long password"


def test_patch_me_changes_profile_and_language(api):
    user = make_user()
    response = api(user).patch("/me", {"display_name": "  梁姨 ", "phone": "13800000002",
                                       "share_phone": False, "locale": "en"})
    assert response.status_code == 200
    assert response.json["display_name"] == "梁姨" and response.json["phone"] == "13800000002"
    assert (user.share_phone, user.locale) == (False, "en") and not response.json["share_phone"]
    assert api(user).patch("/me", {"phone": None}).json["phone"] is None


@pytest.mark.parametrize("body", [{}, {"display_name": ""}, {"phone": "call me"},
                                  {"share_phone": "yes"}, {"locale": "fr"},
                                  {"display_name": "x" * 51}])
def test_patch_me_refuses_bad_input_and_changes_nothing(api, body):
    user = make_user(display_name="Chen")
    response = api(user).patch("/me", body)
    assert response.status_code == 400
    db.session.expire_all()
    assert user.display_name == "Chen" and user.share_phone is True and user.locale is None


def test_password_change_revokes_other_tokens_and_keeps_this_one(api):
    user = make_user()
    this, other = api(user), api(user)
    response = this.put("/me/password", {"current_password": PASSWORD, "new_password": NEW})
    assert response.status_code == 204
    assert this.get("/me").status_code == 200
    assert other.get("/me").status_code == 401
    token = this.post("/auth/tokens", {"username": user.username, "password": NEW})
    assert token.status_code == 201


def test_password_change_with_a_wrong_current_password_is_400(api):
    user = make_user()
    response = api(user).put("/me/password", {"current_password": "nope", "new_password": NEW})
    assert response.status_code == 400 and "current_password" in response.json["error"]["fields"]
    assert api().post("/auth/tokens", {"username": user.username,
                                       "password": PASSWORD}).status_code == 201


def test_password_change_by_cookie_keeps_this_session_and_ends_the_others(app, client):
    user = make_user()
    db.session.commit()
    token = sign_in(client, user.username)
    other = app.test_client()
    sign_in(other, user.username)
    response = client.put("/api/v1/me/password", headers={"X-CSRFToken": token},
                          json={"current_password": PASSWORD, "new_password": NEW})
    assert response.status_code == 204
    assert client.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401


def test_reset_code_from_staff_sets_a_new_password_once(api):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    staff = make_staff(unit.building.community)
    issued = api(staff).post(f"/users/{resident.id}/reset-codes")
    assert issued.status_code == 201 and issued.json["expires_in"] == 24 * 3600
    code = issued.json["code"]
    stored = db.session.scalar(sa.select(ResetCode.code_hash))
    assert code.replace("-", "") not in stored  # only the hash is kept
    old_token = api(resident)
    body = {"username": resident.username.upper(), "code": code.lower(), "new_password": NEW}
    assert api().post("/auth/reset", body).status_code == 204
    assert old_token.get("/me").status_code == 401
    assert api().post("/auth/tokens", {"username": resident.username,
                                       "password": NEW}).status_code == 201
    again = api().post("/auth/reset", body | {"new_password": "yet another password"})
    assert again.status_code == 400 and again.json["error"]["code"] == "invalid_code"


def test_the_reset_page_works_before_its_script_loads(client, db):
    """A plain form POST (a phone whose script has not loaded) sets the password too."""
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    code, _ttl = self_service.issue_reset_code(make_staff(unit.building.community), resident)
    db.session.commit()
    token = csrf_token(client, "/reset")
    form = {"username": resident.username, "code": code, "new_password": NEW, "csrf_token": token}
    assert client.post("/reset", data=form | {"csrf_token": "forged"}).status_code == 400
    english = {"Accept-Language": "en"}
    wrong = client.post("/reset", data=form | {"code": "AAAA-BBBB"}, headers=english)
    assert wrong.status_code == 400 and "reset code is not valid" in wrong.text
    assert wrong.request.method == "POST" and "AAAA" not in wrong.request.url
    assert check_secret(db.session.get(User, resident.id).password_hash, PASSWORD)
    done = client.post("/reset", data=form)
    assert done.status_code == 302 and done.location.endswith("/login?reset=done")
    assert "Sign in with the new one" in client.get(done.location, headers=english).text
    assert check_secret(db.session.get(User, resident.id).password_hash, NEW)


def test_reset_codes_expire_and_fit_one_user_only(db):
    unit = make_unit()
    resident, other = make_user(verified=True, unit=unit), make_user()
    staff = make_staff(unit.building.community)
    code, _ttl = self_service.issue_reset_code(staff, resident)
    with pytest.raises(ValidationFailed):
        self_service.reset_password(other.username, code, NEW)
    row = db.session.scalar(sa.select(ResetCode))
    with pytest.raises(ValidationFailed) as raised:
        self_service.reset_password(resident.username, code, NEW,
                                    now=row.expires_at + timedelta(seconds=1))
    assert raised.value.code == "invalid_code"
    newer, _ttl = self_service.issue_reset_code(staff, resident)
    with pytest.raises(ValidationFailed):
        self_service.reset_password(resident.username, code, NEW)  # replaced by the newer
    assert self_service.reset_password(resident.username, newer, NEW) is resident


def test_reset_codes_only_by_staff_of_the_resident_and_never_for_staff(api):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    assert api(make_user()).post(f"/users/{resident.id}/reset-codes").status_code == 403
    assert api(make_staff()).post(f"/users/{resident.id}/reset-codes").status_code == 403
    staff = make_staff(unit.building.community)
    assert api(staff).post(f"/users/{make_staff().id}/reset-codes").status_code == 403
    assert api(staff).post("/users/999999/reset-codes").status_code == 404


@pytest.mark.parametrize("body", [{}, {"username": "x", "code": "ABCD-EFGH"},
                                  {"username": "x", "code": "ABCD-EFGH", "new_password": "short"},
                                  {"username": "x", "code": "", "new_password": NEW}])
def test_reset_with_bad_input_is_400(api, body):
    assert api().post("/auth/reset", body).status_code == 400


def test_export_holds_my_own_data_only(api):
    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    data = api(hood.helper).get("/me/export")
    assert data.status_code == 200 and "attachment" in data.headers["Content-Disposition"]
    body = data.json
    assert body["account"]["username"] == hood.helper.username
    assert [o["id"] for o in body["orders"]] == [order.id]
    assert body["ledger"][0]["order_id"] == order.id
    assert {"skills", "offers", "ballots", "bookings"} <= set(body)
    assert hood.requester.username not in str(body["account"])


def _owner_with_ballot(api):
    """An owner of record who voted in a major vote of their building, and the staff."""
    unit = make_unit()
    staff = make_staff(unit.building.community)
    owner = make_user(verified=True, unit=unit, display_name="梁姨", phone="13800000002")
    unit.owner_id = owner.id
    vote = api(staff).post("/votes", {"title": "电梯", "description": "更换", "rule": "major",
                                      "building_id": unit.building_id}).json
    assert api(owner).post(f"/votes/{vote['id']}/ballots", {"choice": "yes"}).status_code == 201
    return owner, staff, vote


def test_delete_me_is_refused_while_an_owner_in_an_open_vote(api):
    owner, _staff, vote = _owner_with_ballot(api)
    response = api(owner).delete("/me", json={"password": PASSWORD})
    assert response.status_code == 409 and response.json["error"]["code"] == "owner_in_open_vote"
    db.session.expire_all()
    assert owner.display_name == "梁姨" and owner.active


def test_delete_me_erases_names_keeps_records_and_the_chain(api):
    owner, staff, vote = _owner_with_ballot(api)
    assert api(staff).post(f"/votes/{vote['id']}/close").status_code == 200
    client, username = api(owner), owner.username
    assert client.delete("/me", json={"password": "wrong"}).status_code == 400
    assert client.delete("/me", json={"password": PASSWORD}).status_code == 204
    db.session.expire_all()
    user = db.session.get(User, owner.id)
    assert user.display_name == self_service.ERASED_NAME and user.phone is None
    assert not user.active and user.deleted_at is not None and user.username.startswith("~")
    assert user.unit_id is None and db.session.scalar(sa.select(Unit.owner_id)) is None
    assert client.get("/me").status_code == 401
    signing_in = api().post("/auth/tokens", {"username": username, "password": PASSWORD})
    assert signing_in.status_code == 401
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 1
    problems, _recount = votes.verify_vote(db.session.get(Vote, vote["id"]))
    assert problems == []
    assert all(t.revoked_at for t in db.session.scalars(sa.select(ApiToken).where(
        ApiToken.user_id == owner.id)))


def test_closing_an_account_cancels_its_open_needs(db):
    hood = make_neighbourhood()
    order = order_in("open", hood)
    self_service.delete_account(hood.requester, PASSWORD)
    assert order.status == "cancelled"


def test_closing_an_account_gives_its_seats_in_coming_sessions_back(db):
    session = make_session(capacity=1)
    resident = make_user(verified=True, unit=make_unit(make_building(session.service.community)))
    booking = catalogue.book_session(resident, session)
    self_service.delete_account(resident, PASSWORD)
    assert booking.cancelled_at is not None
    assert (session.booked, session.seats_left) == (0, 1)


def test_staff_cannot_close_their_own_account_here(db):
    with pytest.raises(Forbidden):
        self_service.delete_account(make_staff(), PASSWORD)


def test_issue_a_code_for_a_closed_account_conflicts(db):
    unit = make_unit()
    resident = make_user(verified=True, unit=unit)
    self_service.delete_account(resident, PASSWORD)
    with pytest.raises(Conflict):
        self_service.issue_reset_code(make_staff(unit.building.community), resident)


def test_guessing_reset_codes_is_rate_limited(limited):  # noqa: F811
    client = limited.app.test_client()
    body = {"username": "resi", "code": "ABCD-EFGH", "new_password": NEW}
    answers = [client.post("/api/v1/auth/reset", json=body) for _ in range(10)]
    assert {a.status_code for a in answers} == {400}
    assert {a.json["error"]["code"] for a in answers} == {"invalid_code"}
    flooded = client.post("/api/v1/auth/reset", json=body)
    assert flooded.status_code == 429 and flooded.json["error"]["code"] == "rate_limited"


def test_me_page_names_the_home_unit_apart_from_the_home_tab(app, client):
    resident = make_user(verified=True, unit=make_unit(number="302"))
    newcomer = make_user()
    db.session.commit()
    sign_in(client, resident.username)
    page = client.get("/me").text
    assert "<dt>住址</dt>" in page and ">首页</a>" in page  # the flat, and the nav tab
    assert 'data-testid="next-steps"' not in page
    for section in ("/api/v1/me/password", "/api/v1/me/export", 'data-method="DELETE"'):
        assert section in page
    other = app.test_client()
    sign_in(other, newcomer.username)
    assert 'data-testid="next-steps"' in other.get("/me").text


def test_patch_me_sets_sms_and_audiences_in_the_notification_settings(api):
    user = make_user(verified=True, unit=make_unit())
    me = api(user)
    response = me.patch("/me", {"sms": True, "audiences": ["elderly", "everyone"]})
    assert response.status_code == 200
    settings = me.get("/me/notification-settings").json
    assert settings["sms"] is True and settings["audiences"] == ["everyone", "elderly"]
    assert me.patch("/me", {"audiences": ["aliens"]}).status_code == 400
    assert me.get("/me/notification-settings").json["audiences"] == ["everyone", "elderly"]
