"""/api/v1 routes of the inbox and notification settings."""
from flask_login import current_user

from mutualaid.accounts.api import ME_EXTRAS
from mutualaid.api import endpoint, page_of
from mutualaid.extensions import db
from mutualaid.notifications import domain
from mutualaid.notifications.kinds import render
from mutualaid.notifications.schemas import (
    InboxQuerySchema, NotificationSchema, ReadSchema, SettingsInSchema, SettingsSchema,
    UnreadSchema, dump_settings,
)

ME_EXTRAS.append(lambda user: {"unread_notifications": domain.unread_count(user)})


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
