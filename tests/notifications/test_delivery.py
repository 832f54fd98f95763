"""Delivery through the real parts: pywebpush to a push service on loopback that checks VAPID
and decrypts like a browser, the SMS outbox and an SMS webhook on loopback, retries, quiet
hours, 404/410, and nothing sent twice."""
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from mutualaid.core.database import utcnow
from mutualaid.notifications import delivery, domain, push
from mutualaid.notifications.models import Delivery, PushSubscription, SmsMessage
from tests.factories import make_user
from tests.notifications.push_service import PushService


@pytest.fixture
def service(app):
    """A push service on loopback, allowed by PUSH_ALLOWED_HOSTS."""
    service = PushService()
    app.config["PUSH_ALLOWED_HOSTS"] = service.host
    yield service
    service.close()


def _subscribe(user, subscription):
    push.subscribe(user, subscription["endpoint"], subscription["keys"]["p256dh"],
                   subscription["keys"]["auth"])


def _quiet_off(user):
    domain.update_settings(user, {"quiet_hours": None})


def test_a_push_reaches_the_service_encrypted_and_signed(app, db, service):
    user = make_user(locale="en")
    _quiet_off(user)
    _subscribe(user, service.subscription())
    row = domain.notify([user], "order.accepted", {"title": "Tap", "helper": "Li"},
                        "/orders/4")[0]
    db.session.commit()
    assert delivery.deliver_due() == 1
    assert service.rejected == []
    [entry] = service.received
    assert entry["payload"] == {"id": row.id, "kind": "order.accepted",
                                "title": "Your need was accepted",
                                "body": "Li will help with “Tap”.", "url": "/orders/4"}
    assert (entry["ttl"], entry["urgency"]) == ("86400", "high")
    assert entry["claims"]["sub"] == "mailto:admin@localhost"
    assert delivery.deliver_due() == 0  # sent once, never again


def test_one_vapid_signature_serves_a_push_service_for_a_few_minutes(app, db, service,
                                                                     clock):
    people = [make_user() for _ in range(3)]
    for person in people:
        _quiet_off(person)
        _subscribe(person, service.subscription())
    domain.notify(people[:2], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    assert delivery.deliver_due() == 2
    clock.advance(push.VAPID_REUSE)
    domain.notify(people[2:], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    assert delivery.deliver_due() == 1
    first, second, later = [entry["authorization"] for entry in service.received]
    assert first == second != later and service.rejected == []
    assert service.received[2]["claims"]["exp"] > time.time() + 1800  # still far from expiry


def test_a_long_body_is_shortened_under_4_kb(app, db, service):
    user = make_user()
    _quiet_off(user)
    _subscribe(user, service.subscription())
    domain.notify([user], "service.published", {"title": "长" * 3000, "provider": "Hut"},
                  "/services/1")
    db.session.commit()
    delivery.deliver_due()
    [entry] = service.received
    assert entry["size"] < 4096 and entry["urgency"] == "normal"


def test_a_gone_subscription_is_deleted(app, db, service):
    user = make_user()
    _quiet_off(user)
    _subscribe(user, service.subscription(status=410))
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    delivery.deliver_due()
    assert db.session.scalar(sa.select(sa.func.count(PushSubscription.id))) == 0
    assert db.session.scalar(sa.select(Delivery.status)) == "sent"


def test_failures_retry_with_backoff_then_give_up(app, db, service):
    user = make_user()
    _quiet_off(user)
    _subscribe(user, service.subscription(status=500))
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    now = utcnow()
    for attempt, wait in enumerate(delivery.BACKOFF, start=1):
        assert delivery.deliver_due(now) == 0
        row = db.session.scalar(sa.select(Delivery))
        assert (row.attempts, row.status) == (attempt, "pending")
        assert row.due_at == now + timedelta(seconds=wait)
        assert delivery.deliver_due(now + timedelta(seconds=wait - 1)) == 0  # not yet due
        now += timedelta(seconds=wait)
    delivery.deliver_due(now)
    row = db.session.scalar(sa.select(Delivery))
    assert row.status == "failed" and "500" in row.error


def test_quiet_hours_hold_the_push_until_they_end(app, db, service):
    user = make_user()
    domain.update_settings(user, {"quiet_hours": {"start": "00:00", "end": "23:59"}})
    _subscribe(user, service.subscription())
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    due = db.session.scalar(sa.select(Delivery.due_at))
    now = utcnow()
    if due > now:
        assert delivery.deliver_due(now) == 0 and service.received == []
    assert delivery.deliver_due(due) == 1 and len(service.received) == 1


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(app, db, service):
    user = make_user()
    _quiet_off(user)
    _subscribe(user, service.subscription())
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    [delivery_id] = delivery.due_ids()
    assert delivery.claim(delivery_id) is True
    assert delivery.claim(delivery_id) is False  # another worker: taken for the lease
    assert delivery.deliver_due(utcnow() + delivery.LEASE) == 1  # the lease ran out


def test_the_log_gateway_writes_the_outbox_once(app, db, api):
    from tests.orders.factories import make_neighbourhood

    hood = make_neighbourhood()
    user = hood.requester
    domain.update_settings(user, {"sms": True, "quiet_hours": None})
    row = domain.notify([user], "order.accepted", {"title": "Tap", "helper": "Li"},
                        "/orders/4")[0]
    db.session.commit()
    assert delivery.deliver_due() == 1
    again = db.session.scalar(sa.select(Delivery))  # as if killed before marking it sent
    again.status, again.due_at = "pending", utcnow()
    db.session.commit()
    assert delivery.deliver_due() == 1  # sent again: still one outbox row
    outbox = api(hood.staff).get(f"/communities/{hood.community.id}/sms-outbox").json
    assert outbox["total"] == 1
    [sms] = outbox["items"]
    assert sms["phone"] == user.phone and sms["notification_id"] == row.id
    assert sms["body"].startswith("【共享小屋】") and "Li" in sms["body"]
    assert len(sms["body"]) <= 140
    assert db.session.scalar(sa.select(sa.func.count(SmsMessage.id))) == 1


class _Gateway(BaseHTTPRequestHandler):
    received = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        """Quiet: the tests read what the gateway received, not its access log."""


def test_the_http_gateway_posts_json_and_retries_on_errors(app, db):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(SMS_BACKEND="http",
                      SMS_HTTP_URL=f"http://127.0.0.1:{server.server_port}/sms")
    try:
        user = make_user(phone="13900000009")
        domain.update_settings(user, {"sms": True, "quiet_hours": None})
        row = domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")[0]
        db.session.commit()
        _Gateway.status = 503
        assert delivery.deliver_due() == 0
        _Gateway.status = 200
        assert delivery.deliver_due(utcnow() + timedelta(seconds=11)) == 1
        assert [(m["id"], m["phone"]) for m in _Gateway.received] == [
            (row.id, "13900000009")] * 2
        assert db.session.scalar(sa.select(sa.func.count(SmsMessage.id))) == 0
    finally:
        server.shutdown()
        server.server_close()


def test_a_kiosk_posted_need_is_named_in_words_in_push_sms_and_inbox(app, db, api, service):
    from mutualaid.orders import domain as orders
    from mutualaid.orders.texts import TAG_TITLE
    from tests.orders.factories import make_neighbourhood, make_order

    hood = make_neighbourhood()
    requester = hood.requester  # no language chosen: zh-CN
    domain.update_settings(requester, {"sms": True, "quiet_hours": None})
    _subscribe(requester, service.subscription())
    order = make_order(requester, title=TAG_TITLE + "repair.plumbing")
    orders.accept_order(hood.helper, order)
    db.session.commit()
    assert delivery.deliver_due() == 2
    [entry] = service.received
    assert "“水管维修”" in entry["payload"]["body"] and "@" not in entry["payload"]["body"]
    sms_body = db.session.scalar(sa.select(SmsMessage.body))
    assert "“水管维修”" in sms_body and "@tag" not in sms_body
    requester.locale = "en"  # the inbox renders in the reader's language of the moment
    inbox = api(requester).get("/me/notifications").json
    assert [item["body"] for item in inbox["items"]] == [
        f"{hood.helper.display_name} will help with “Plumbing”."]
