"""/api/v1 routes of the inbox, notification settings, push subscriptions and the SMS
outbox; and ``PATCH /me``, which sets the profile and how notifications reach me at once
(here, since notifications build on accounts and not the other way)."""
from flask_login import current_user

from mutualaid.accounts import self_service
from mutualaid.accounts.api import dump_me
from mutualaid.accounts.domain import require_staff_of
from mutualaid.accounts.schemas import MeSchema, ProfileSchema
from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.notifications import domain, push, sms
from mutualaid.notifications.kinds import render
from mutualaid.notifications.schemas import (
    EndpointSchema, InboxQuerySchema, NotificationSchema, PublicKeySchema, ReachSchema,
    ReadSchema, SettingsInSchema, SettingsSchema, SmsSchema, SubscriptionOutSchema,
    SubscriptionSchema, UnreadSchema, dump_settings,
)
from mutualaid.places.models import Community


def me_unread(user):
    """What notifications add to ``GET /me``: how many are unread."""
    return {"unread_notifications": domain.unread_count(user)}


class MeChangesSchema(ProfileSchema, ReachSchema):
    """``PATCH /me``: the profile, and how notifications reach me (SMS, audiences)."""


@endpoint("/me", "PATCH", body=MeChangesSchema(), response=MeSchema)
def update_me(data):
    """Change my display name, phone, whether helpers' requesters see it, my language, SMS
    notices or the audiences I hear of."""
    reach = {key: data.pop(key) for key in ("sms", "audiences") if key in data}
    self_service.update_profile(current_user, data)
    if reach:
        domain.update_settings(current_user, reach)
    db.session.commit()
    return dump_me(current_user)


def dump_notification(row):
    """A notification with its texts in the reader's language."""
    title, body = render(row)
    return {"id": row.id, "kind": row.kind, "title": title, "body": body, "url": row.url,
            "at": row.at.isoformat(), "read_at": row.read_at and row.read_at.isoformat()}


@endpoint("/me/notifications", query=InboxQuerySchema(), response=NotificationSchema,
          paged=True)
def inbox(args):
    """My notifications, newest first (``?unread=true`` for the unread ones), with the
    ``unread`` count."""
    page = page_of(domain.inbox_select(current_user, args["unread"]), dump_notification, args)
    return page | {"unread": domain.unread_count(current_user)}


@endpoint("/me/notifications/read", "POST", body=ReadSchema(), response=UnreadSchema)
def mark_read(data):
    """Mark notifications read: ``{ids: [...]}`` or ``{all: true}``."""
    unread = domain.mark_read(current_user, data.get("ids"), data.get("all", False))
    db.session.commit()
    return {"unread": unread}


@endpoint("/me/notification-settings", response=SettingsSchema)
def settings():
    """My channels (push, sms), kinds, quiet hours and audiences."""
    return dump_settings(domain.settings_of(current_user))


@endpoint("/me/notification-settings", "PUT", body=SettingsInSchema(),
          response=SettingsSchema)
def update_settings(data):
    """Change what I am told and how; what is left out stays as it was."""
    changed = domain.update_settings(current_user, data)
    db.session.commit()
    return dump_settings(changed)


@endpoint("/push/public-key", response=PublicKeySchema, auth="anyone")
def public_key():
    """The VAPID application server key a browser subscribes with (base64url)."""
    return {"public_key": push.public_key_b64()}


@endpoint("/me/push-subscriptions", "POST", body=SubscriptionSchema(), status=201,
          response=SubscriptionOutSchema, limit="30/hour")
def subscribe(data):
    """Keep this browser's push subscription (an allowed push service only: else 400
    ``push_endpoint_not_allowed``); one already stored answers 200 and moves to me."""
    row, created = push.subscribe(current_user, data["endpoint"], data["keys"]["p256dh"],
                                  data["keys"]["auth"])
    db.session.commit()
    return {"id": row.id, "endpoint": row.endpoint}, 201 if created else 200


@endpoint("/me/push-subscriptions", "DELETE", body=EndpointSchema(), status=204)
def unsubscribe(data):
    """Forget this browser's push subscription."""
    push.unsubscribe(current_user, data["endpoint"])
    db.session.commit()
    return "", 204


@endpoint("/communities/<id:community_id>/sms-outbox", response=SmsSchema, auth="staff",
          paged=True)
def sms_outbox(community_id, args):
    """Staff: the SMS the log gateway wrote for the community, newest first, to phone or
    hand over."""
    require_staff_of(current_user, get_or_404(Community, community_id).id)
    return page_of(sms.outbox_select(community_id), dump_sms, args)


def dump_sms(message):
    """An outbox entry with the person's name."""
    return {"id": message.id, "user_id": message.user_id,
            "display_name": message.user.display_name,
            "phone": message.phone, "body": message.body, "at": message.at.isoformat(),
            "notification_id": message.notification_id}
