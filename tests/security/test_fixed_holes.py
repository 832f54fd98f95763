"""Holes the security review found, each pinned by a focused test of the rule that closes it."""
import logging

import pytest

from mutualaid.accounts import domain as accounts
from mutualaid.core.errors import Forbidden
from mutualaid.kiosk import domain as kiosks
from mutualaid.core.logs import RedactSecrets, redact
from tests.factories import make_building, make_staff, make_unit, make_user


def test_staff_cannot_set_an_admins_pin_and_sign_in_as_them_at_their_kiosk(db):
    staff = make_staff()
    admin = make_user(role="admin")
    with pytest.raises(Forbidden):
        accounts.set_pin(staff, admin, "2468")
    assert admin.pin_hash is None
    accounts.set_pin(admin, admin, "2468")  # an admin sets their own
    assert admin.pin_hash is not None


def test_staff_cannot_change_another_staff_account(db):
    staff, colleague = make_staff(), make_staff()
    for change in (lambda: accounts.set_pin(staff, colleague, "2468"),
                   lambda: accounts.set_flags(staff, colleague, vetted=True),
                   lambda: accounts.verify_user(staff, colleague, make_unit(), "owner")):
        with pytest.raises(Forbidden):
            change()
    accounts.set_pin(make_user(role="admin"), colleague, "2468")


def test_staff_cannot_move_a_resident_out_of_another_community(db):
    away = make_unit()
    resident = make_user(verified=True, unit=away)
    here = make_unit()
    staff = make_staff(here.building.community)
    with pytest.raises(Forbidden):
        accounts.verify_user(staff, resident, here, "tenant")
    assert resident.unit_id == away.id
    # and therefore cannot then sign them in at their own kiosk with a PIN of their choosing
    kiosk, _raw = kiosks.issue_kiosk(staff, here.building, "Lobby")
    with pytest.raises(Forbidden):
        accounts.set_pin(staff, resident, "2468")
    assert not kiosks._belongs_here(resident, kiosk.community_id)


def test_staff_look_up_residents_of_their_communities_and_the_unverified_only(db):
    building = make_building()
    staff = make_staff(building.community)
    mine = make_user(verified=True, unit=make_unit(building))
    theirs = make_user(verified=True)
    waiting = make_user()
    found = set(db.session.scalars(accounts.residents_for(staff)))
    assert mine in found and waiting in found and theirs not in found
    assert theirs in set(db.session.scalars(accounts.residents_for(make_user(role="admin"))))


@pytest.mark.parametrize("line, secret", [
    ('"GET /kiosk/Zm9vYmFyLXNlY3JldA HTTP/1.1" 200 -', "Zm9vYmFyLXNlY3JldA"),
    ("/api/v1/votes/3/receipts/K7QX-2M9P", "K7QX-2M9P"),
    ('"GET /api/v1/me?token=abc123secret HTTP/1.1" 401 -', "abc123secret"),
])
def test_urls_in_access_logs_lose_their_secrets(line, secret):
    assert secret not in redact(line)
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s", (line,), None)
    assert RedactSecrets().filter(record) and secret not in record.getMessage()


def test_kiosk_screen_request_is_logged_without_its_token(client, caplog):
    staff = make_staff()
    _kiosk, raw = kiosks.issue_kiosk(staff, make_building(staff_community(staff)), "Lobby")
    with caplog.at_level("INFO", logger="mutualaid.requests"):
        assert client.get(f"/kiosk/{raw}").status_code == 200
    assert raw not in caplog.text
    record = next(r for r in caplog.records if r.name == "mutualaid.requests")
    assert record.fields["path"] == "/kiosk/[redacted]"


def staff_community(staff):
    """The one community a factory-made staff member serves."""
    from mutualaid.core.extensions import db
    from mutualaid.places.models import Community

    return db.session.get(Community, next(iter(accounts.staff_community_ids(staff))))


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "//evil.example",
                                    "https://evil.example", "/\\/evil.example"])
def test_sign_in_and_language_switch_never_redirect_to_another_site(client, target):
    from tests.security.test_sessions import csrf_token

    make_user("chen")
    token = csrf_token(client)
    signed_in = client.post("/login", query_string={"next": target}, data={
        "username": "chen", "password": "correct horse", "csrf_token": token})
    assert signed_in.status_code == 302 and signed_in.location == "/"
    switched = client.post("/lang", data={"lang": "en", "next": target,
                                          "csrf_token": csrf_token(client, "/me")})
    assert switched.status_code == 302 and switched.location == "/"


def test_local_redirects_still_work(client):
    from tests.security.test_sessions import csrf_token

    make_user("chen")
    signed_in = client.post("/login", query_string={"next": "/orders?mine=1"}, data={
        "username": "chen", "password": "correct horse", "csrf_token": csrf_token(client)})
    assert signed_in.location == "/orders?mine=1"


def test_new_orders_are_pushed_only_to_helpers_who_may_see_them(db):
    from mutualaid.matching import domain as matching
    from mutualaid.orders import domain as orders
    from mutualaid.orders.access import can_see
    from mutualaid.orders.publish import top_helper_ids
    from tests.factories import make_community

    here = make_building()
    over_the_road = make_building(make_community(), lat=here.lat, lon=here.lon + 0.0005)
    requester = make_user(verified=True, unit=make_unit(here))
    neighbour = make_user(verified=True, unit=make_unit(here))
    outsider = make_user(verified=True, unit=make_unit(over_the_road))
    for helper in (neighbour, outsider):
        matching.set_skills(helper, ["repair"], 1000)
    order = orders.create_order(requester, {"title": "Tap", "tags": ["repair"]})
    assert top_helper_ids(order) == [neighbour.id]
    assert not can_see(outsider, order)
