"""Inbox and settings API: shapes, reading, merge semantics, bad input, the reader's language."""
from mutualaid.notifications import domain
from tests.factories import make_user


def test_inbox_lists_newest_first_in_the_contract_shape(api):
    user = make_user()
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    domain.notify([user], "order.accepted", {"title": "Tap", "helper": "Li"}, "/orders/2")
    body = api(user).get("/me/notifications").json
    assert [item["kind"] for item in body["items"]] == ["order.accepted", "vote.opened"]
    assert set(body["items"][0]) == {"id", "kind", "title", "body", "url", "at", "read_at"}
    assert body["unread"] == 2 and body["total"] == 2
    assert api(user).get("/me").json["unread_notifications"] == 2


def test_texts_follow_the_readers_language(api, db):
    user = make_user()
    domain.notify([user], "order.accepted", {"title": "Tap", "helper": "Li"}, "/orders/2")
    user.locale = "en"
    english = api(user).get("/me/notifications").json["items"][0]
    assert (english["title"], english["body"]) == ("Your need was accepted",
                                                   "Li will help with “Tap”.")
    user.locale = "zh_CN"
    chinese = api(user).get("/me/notifications").json["items"][0]
    assert chinese["title"] == "您的求助有人接单了"


def test_mark_read_by_ids_or_all(api):
    user, other = make_user(), make_user()
    first = domain.notify([user], "vote.opened", {"title": "A"}, "/votes/1")[0]
    domain.notify([user], "vote.opened", {"title": "B"}, "/votes/2")
    theirs = domain.notify([other], "vote.opened", {"title": "A"}, "/votes/1")[0]
    client = api(user)
    assert client.post("/me/notifications/read", {"ids": [first.id, theirs.id]}).json == {
        "unread": 1}
    assert api(other).get("/me").json["unread_notifications"] == 1
    unread = client.get("/me/notifications?unread=true").json["items"]
    assert [item["url"] for item in unread] == ["/votes/2"]
    assert client.post("/me/notifications/read", {"all": True}).json == {"unread": 0}
    for bad in ({}, {"ids": []}, {"ids": ["1"]}, {"all": 1}, {"ids": [0]}):
        assert client.post("/me/notifications/read", bad).status_code == 400, bad


def test_settings_default_then_merge(api):
    user = make_user()
    client = api(user)
    settings = client.get("/me/notification-settings").json
    assert settings["push"] is True and settings["sms"] is False
    assert settings["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    assert all(settings["kinds"].values()) and "order.nearby" in settings["kinds"]
    client.put("/me/notification-settings", {"kinds": {"order.nearby": False}})
    changed = client.put("/me/notification-settings", {"sms": True, "quiet_hours": None,
                                                       "audiences": ["elderly", "women"]}).json
    assert changed["kinds"]["order.nearby"] is False and changed["sms"] is True
    assert changed["quiet_hours"] is None and changed["audiences"] == ["elderly", "women"]
    assert client.get("/me/notification-settings").json == changed


def test_bad_settings_are_refused_and_change_nothing(api):
    user = make_user()
    client = api(user)
    before = client.get("/me/notification-settings").json
    for bad in ({"push": "yes"}, {"kinds": {"order.exploded": True}},
                {"kinds": {"order.nearby": 1}}, {"quiet_hours": {"start": "25:00", "end": "07:00"}},
                {"quiet_hours": {"start": "22:00", "end": "22:00"}},
                {"quiet_hours": {"start": "22:00"}}, {"audiences": ["martians"]},
                {"audiences": "elderly"}):
        assert client.put("/me/notification-settings", bad).status_code == 400, bad
    assert client.get("/me/notification-settings").json == before
