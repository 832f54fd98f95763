"""SMS for residents without a smartphone: a gateway chosen by ``SMS_BACKEND``.

``log`` (default) writes each SMS to the outbox staff read (``GET /communities/{id}/sms-outbox``)
to phone the person or hand it over at the hut; ``http`` posts JSON to ``SMS_HTTP_URL`` (a
provider's webhook). Texts are short, in the reader's language (zh-CN first).
"""
import requests
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _
from flask_babel import force_locale

from mutualaid.core.extensions import db
from mutualaid.notifications.models import SmsMessage

SMS_LIMIT = 140  # characters: one or two segments of a Chinese SMS


class SmsFailed(Exception):
    """The gateway did not take the SMS; the delivery is tried again later."""


def sms_text(title, body, locale):
    """A short text: the site's name, the title and the body, cut to fit."""
    with force_locale(locale):
        text = f"【{_('Share Hut')}】{title}：{body}"
    return text if len(text) <= SMS_LIMIT else text[:SMS_LIMIT - 1] + "…"


def send_sms(notification_id, phone, text):
    """Hand one SMS to the gateway, outside any transaction: ``http`` posts it (raises
    SmsFailed to be retried); ``log`` writes it later, with the delivery (``record_sms``)."""
    if current_app.config.get("SMS_BACKEND", "log") == "http":
        _post(notification_id, phone, text)


def record_sms(notification_id, user_id, community_id, phone, text):
    """The log gateway: one outbox row per notification (a repeat writes nothing twice)."""
    if current_app.config.get("SMS_BACKEND", "log") == "http":
        return
    exists = db.session.scalar(sa.select(SmsMessage.id).where(
        SmsMessage.notification_id == notification_id))
    if not exists:
        db.session.add(SmsMessage(notification_id=notification_id, user_id=user_id,
                                  community_id=community_id, phone=phone, body=text))
        db.session.flush()


def _post(notification_id, phone, text):
    """The http gateway: ``{id, phone, text}`` to ``SMS_HTTP_URL``; ``id`` lets the provider
    drop a repeat (delivery is at least once)."""
    url = current_app.config.get("SMS_HTTP_URL")
    if not url:
        raise SmsFailed("SMS_HTTP_URL is not set")
    try:
        response = requests.post(url, json={"id": notification_id, "phone": phone,
                                            "text": text}, timeout=10, allow_redirects=False)
    except requests.RequestException as error:
        raise SmsFailed(str(error)) from None
    if not 200 <= response.status_code < 300:
        raise SmsFailed(f"gateway answered {response.status_code}")


def outbox_select(community_ids):
    """The outbox of a community (or of several: a list of ids), newest first, with the
    person's name."""
    if isinstance(community_ids, int):
        community_ids = [community_ids]
    return (sa.select(SmsMessage).options(so.selectinload(SmsMessage.user))
            .where(SmsMessage.community_id.in_(community_ids))
            .order_by(SmsMessage.id.desc()))
