"""Push subscriptions: only allowed push services, the VAPID key, moving and deleting."""
import base64

import pytest

from mutualaid.notifications.push import endpoint_allowed
from tests.factories import make_user
from tests.notifications.push_service import PushService

KEYS = {"p256dh": "BA" + "A" * 85, "auth": "A" * 22}
DEFAULT = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com",
           "*.notify.windows.com")


@pytest.mark.parametrize("endpoint, allowed", [
    ("https://fcm.googleapis.com/fcm/send/x", True),
    ("https://fcm.googleapis.com:443/fcm/send/x", True),
    ("https://wns2-par02p.notify.windows.com/w/?token=x", True),
    ("https://notify.windows.com/x", False),
    ("https://fcm.googleapis.com:8443/x", False),
    ("http://fcm.googleapis.com/x", False),
    ("https://user:pw@fcm.googleapis.com/x", False),
    ("https://fcm.googleapis.com.evil.example/x", False),
    ("https://evil.example/fcm.googleapis.com", False),
    ("ftp://fcm.googleapis.com/x", False),
    ("https://[::1/x", False),
])
def test_only_the_browsers_push_services_are_allowed_by_default(app, endpoint, allowed):
    assert endpoint_allowed(endpoint, DEFAULT) is allowed


def test_local_test_services_need_an_exact_entry(app):
    assert endpoint_allowed("http://127.0.0.1:8123/push/a", ("127.0.0.1:8123",))
    assert not endpoint_allowed("http://127.0.0.1:8124/push/a", ("127.0.0.1:8123",))
    assert not endpoint_allowed("http://127.0.0.1:8123/push/a", DEFAULT)


def test_public_key_is_a_p256_point_kept_in_the_instance_folder(app, api):
    first = api().get("/push/public-key").json["public_key"]
    raw = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert api().get("/push/public-key").json["public_key"] == first
    assert (app.instance_path + "/vapid_private_key")


def test_subscribe_refuses_other_hosts_and_moves_a_known_endpoint(app, api):
    service = PushService()
    app.config["PUSH_ALLOWED_HOSTS"] = service.host
    try:
        first, second = make_user(), make_user()
        refused = api(first).post("/me/push-subscriptions", {
            "endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": KEYS})
        assert refused.status_code == 400
        assert refused.json["error"]["code"] == "push_endpoint_not_allowed"
        subscription = service.subscription()
        assert api(first).post("/me/push-subscriptions", subscription).status_code == 201
        moved = api(second).post("/me/push-subscriptions", subscription)
        assert moved.status_code == 200
        from mutualaid.notifications.models import PushSubscription
        from mutualaid.core.extensions import db

        assert db.session.scalar(db.select(PushSubscription.user_id)) == second.id
        gone = api(first).delete("/me/push-subscriptions",
                                 json={"endpoint": subscription["endpoint"]})
        assert gone.status_code == 204 and db.session.scalar(db.select(PushSubscription.id))
        api(second).delete("/me/push-subscriptions", json={"endpoint": subscription["endpoint"]})
        assert db.session.scalar(db.select(PushSubscription.id)) is None
        for bad in ({"endpoint": subscription["endpoint"]},
                    {"endpoint": subscription["endpoint"], "keys": {"p256dh": "x", "auth": "y"}},
                    {"endpoint": 5, "keys": KEYS}):
            assert api(first).post("/me/push-subscriptions", bad).status_code == 400
    finally:
        service.close()
