"""Inbox and conversation pages: what each viewer sees, the unread count, opening a notice."""
from mutualaid.conversation import domain as conversation
from mutualaid.notifications import domain
from tests.factories import make_user
from tests.orders.factories import make_neighbourhood, make_order, order_in
from tests.shell.test_pages import sign_in


def nav_counts(page):
    """The top bar's unread badges as ``{testid: number or None when hidden}``."""
    found = {}
    for testid in ("nav-count", "nav-messages"):
        badge = page.split(f'data-testid="{testid}"')[1].split("</span></span>")[0]
        number = badge.split("<span data-number>")[1].split("<")[0]
        found[testid] = None if badge.startswith(" hidden") else int(number)
    return found


def test_the_inbox_shows_notices_and_the_count_in_the_nav(client, db):
    user = make_user()
    domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    sign_in(client, user.username)
    page = client.get("/notifications")
    assert page.status_code == 200
    assert "“Lift”" in page.text and nav_counts(page.text) == {"nav-count": 1,
                                                                "nav-messages": None}
    assert 'aria-live="polite"' in page.text and "未读通知" in page.text
    assert 'id="notification-settings"' in page.text


def test_every_page_counts_unread_messages_in_the_nav(client, db):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    conversation.post_message(hood.helper, order, "I come at six.")
    db.session.commit()
    sign_in(client, hood.requester.username)
    for path in ("/", "/votes/"):
        assert nav_counts(client.get(path).text) == {"nav-count": 2, "nav-messages": 1}


def test_opening_a_notice_reads_it_and_goes_to_its_page(client, db):
    user, other = make_user(), make_user()
    row = domain.notify([user], "vote.opened", {"title": "Lift"}, "/votes/1")[0]
    db.session.commit()
    sign_in(client, other.username)
    assert client.get(f"/notifications/{row.id}").status_code == 404
    sign_in(client, user.username)
    answer = client.get(f"/notifications/{row.id}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/votes/1"
    assert domain.unread_count(user) == 0
    assert nav_counts(client.get("/notifications").text)["nav-count"] is None


def test_the_order_page_shows_the_conversation_to_participants_only(client, db):
    hood = make_neighbourhood()
    order = order_in("accepted", hood)
    conversation.post_message(hood.helper, order, "I come at six.")
    open_order = make_order(hood.requester)
    db.session.commit()
    sign_in(client, hood.requester.username)
    page = client.get(f"/orders/{order.id}").text
    assert 'data-testid="conversation"' in page and "I come at six." in page
    assert conversation.unread_count(hood.requester) == 0  # shown is read
    assert 'data-testid="conversation"' not in client.get(f"/orders/{open_order.id}").text
    sign_in(client, hood.other.username)
    page = client.get(f"/orders/{order.id}").text
    assert 'data-testid="conversation"' not in page and "I come at six." not in page


def test_a_closed_conversation_says_so_and_staff_still_review_its_reports(client, db,
                                                                         wall_clock):
    from datetime import timedelta

    from mutualaid.orders import reports
    from mutualaid.orders.domain import events_of

    hood = make_neighbourhood()
    order = order_in("confirmed", hood)
    said = conversation.post_message(hood.helper, order, "Pay me in cash.")
    reports.report_order(hood.requester, order, "Asks for money", message_id=said.id)
    wall_clock.set(events_of(order)[-1].at + timedelta(days=7))
    db.session.commit()
    sign_in(client, hood.requester.username)
    page = client.get(f"/orders/{order.id}")
    assert page.status_code == 200
    assert 'data-testid="conversation-closed"' in page.text and "对话已于" in page.text
    assert "Pay me in cash." not in page.text and 'data-testid="send-message"' not in page.text
    staff = client.application.test_client()
    sign_in(staff, hood.staff.username)
    review = staff.get("/staff/reports")
    assert review.status_code == 200 and "Pay me in cash." in review.text


def test_staff_read_the_sms_outbox_of_their_community(client, db):
    from mutualaid.notifications.delivery import deliver_due

    hood = make_neighbourhood()
    domain.update_settings(hood.requester, {"sms": True, "quiet_hours": None})
    domain.notify([hood.requester], "vote.opened", {"title": "Lift"}, "/votes/1")
    db.session.commit()
    deliver_due()
    sign_in(client, hood.staff.username)
    page = client.get("/staff/sms")
    assert page.status_code == 200 and "“Lift”" in page.text and hood.requester.phone in page.text
    sign_in(client, hood.other.username)
    assert client.get("/staff/sms").status_code == 403
    other_staff = make_user(role="staff")
    db.session.commit()
    sign_in(client, other_staff.username)
    assert "“Lift”" not in client.get("/staff/sms").text
