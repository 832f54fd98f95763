"""Conversation API: shapes, ?after=, read state in GET /me, reports and staff review."""
from datetime import timedelta

from mutualaid.conversation.models import OrderMessage
from mutualaid.core.extensions import db
from mutualaid.orders.models import OrderEvent
from tests.orders.factories import make_neighbourhood, make_order, order_in


def test_post_and_list_messages_in_the_contract_shape(api):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    posted = api(hood.helper).post(f"/orders/{order.id}/messages", {"body": "  I come at six. "})
    assert posted.status_code == 201
    assert set(posted.json) == {"id", "order_id", "author", "body", "at", "hidden"}
    assert posted.json["body"] == "I come at six."
    assert posted.json["author"] == {"id": hood.helper.id,
                                     "display_name": hood.helper.display_name}
    second = api(hood.requester).post(f"/orders/{order.id}/messages", {"body": "谢谢"}).json
    listed = api(hood.requester).get(f"/orders/{order.id}/messages").json
    assert [m["id"] for m in listed["items"]] == [posted.json["id"], second["id"]]
    newer = api(hood.staff).get(f"/orders/{order.id}/messages?after={posted.json['id']}").json
    assert [m["body"] for m in newer["items"]] == ["谢谢"]


def test_bad_bodies_are_refused_and_change_nothing(api):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    helper = api(hood.helper)
    for body in ({"body": ""}, {"body": "   "}, {"body": "x" * 1001}, {"body": 7}, {},
                 {"body": ["a"]}):
        response = helper.post(f"/orders/{order.id}/messages", body)
        assert response.status_code == 400, body
    assert helper.post(f"/orders/{order.id}/messages", {"body": "x" * 1000}).status_code == 201
    assert db.session.scalar(db.select(db.func.count(OrderMessage.id))) == 1
    assert helper.get(f"/orders/{order.id}/messages?after=0").status_code == 400


def test_closed_conversations_answer_409_to_reading_and_writing(api, wall_clock):
    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    said = api(hood.helper).post(f"/orders/{order.id}/messages", {"body": "Rude"}).json
    report = api(hood.requester).post(f"/messages/{said['id']}/reports", {"reason": "Insulting"})
    ended = db.session.scalar(db.select(OrderEvent.at).where(
        OrderEvent.order_id == order.id, OrderEvent.to_status == "confirmed"))
    wall_clock.set(ended + timedelta(days=7))
    for who in (hood.requester, hood.helper, hood.staff):
        for response in (api(who).get(f"/orders/{order.id}/messages"),
                         api(who).post(f"/orders/{order.id}/messages", {"body": "Hi"}),
                         api(who).post(f"/orders/{order.id}/messages/read",
                                       {"up_to": said["id"]})):
            assert response.status_code == 409
            assert response.json["error"]["code"] == "conversation_closed"
    assert api(hood.other).get(f"/orders/{order.id}/messages").status_code == 403
    assert api(hood.requester).get("/me").json["unread_messages"] == 0
    assert db.session.scalar(db.select(db.func.count(OrderMessage.id))) == 1  # nothing added
    # Staff review the reported message from its report, as before.
    queue = api(hood.staff).get("/reports").json["items"]
    assert [(r["id"], r["message_body"]) for r in queue] == [(report.json["id"], "Rude")]
    resolved = api(hood.staff).post(f"/reports/{report.json['id']}/resolve", {"hide": True})
    assert resolved.status_code == 200 and db.session.get(OrderMessage, said["id"]).hidden


def test_before_acceptance_403_and_unrelated_404(api):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    response = api(hood.requester).post(f"/orders/{order.id}/messages", {"body": "Hi"})
    assert response.status_code == 403 and response.json["error"]["code"] == "not_accepted"
    assert api(hood.requester).get("/orders/999999/messages").status_code == 404


def test_unread_messages_in_me_until_read(api):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    ids = [api(hood.helper).post(f"/orders/{order.id}/messages", {"body": text}).json["id"]
           for text in ("one", "two")]
    me = api(hood.requester).get("/me").json
    assert me["unread_messages"] == 2 and me["unread_notifications"] == 2  # accepted, message
    read = api(hood.requester).post(f"/orders/{order.id}/messages/read", {"up_to": ids[0]})
    assert read.status_code == 200 and read.json == {"unread": 1}
    api(hood.requester).post(f"/orders/{order.id}/messages/read", {"up_to": ids[1]})
    assert api(hood.requester).get("/me").json["unread_messages"] == 0
    assert api(hood.requester).post(f"/orders/{order.id}/messages/read",
                                    {"up_to": "1"}).status_code == 400


def test_report_a_message_and_staff_hide_it_from_review(api):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    message = api(hood.helper).post(f"/orders/{order.id}/messages", {"body": "Rude"}).json
    reported = api(hood.requester).post(f"/messages/{message['id']}/reports",
                                        {"reason": "Insulting"})
    assert reported.status_code == 201
    assert reported.json["message_id"] == message["id"]
    assert api(hood.requester).post(f"/messages/{message['id']}/reports",
                                    {"reason": "Again"}).status_code == 409
    assert api(hood.other).post(f"/messages/{message['id']}/reports",
                                {"reason": "x"}).status_code == 404
    queue = api(hood.staff).get("/reports").json["items"]
    assert [(r["id"], r["message_body"]) for r in queue] == [(reported.json["id"], "Rude")]
    assert api(hood.staff).post(f"/reports/{reported.json['id']}/resolve",
                                {"hide": "yes"}).status_code == 400
    resolved = api(hood.staff).post(f"/reports/{reported.json['id']}/resolve",
                                    {"hide": True, "note": "Removed"})
    assert resolved.status_code == 200
    assert (resolved.json["resolved"], resolved.json["note"]) == (True, "Removed")
    assert api(hood.requester).get(f"/orders/{order.id}/messages").json["items"] == []
    staff_view = api(hood.staff).get(f"/orders/{order.id}/messages").json["items"]
    assert [m["hidden"] for m in staff_view] == [True]
    assert api(hood.staff).get("/reports").json["items"] == []


def test_resolving_an_order_report_with_hide_hides_the_order(api):
    hood = make_neighbourhood()
    order = make_order(hood.requester)
    report = api(hood.other).post(f"/orders/{order.id}/reports", {"reason": "Spam"}).json
    answer = api(hood.staff).post(f"/reports/{report['id']}/resolve", {"hide": True})
    assert answer.status_code == 200 and answer.json["order_hidden"] is True
