"""Inbox pages: my notifications with their settings, and opening one (read, then its page);
staff's SMS outbox. (The inbox link with its unread counts is in the top bar: the tab bar is
full on a phone.)"""
import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from mutualaid.accounts.domain import staff_community_ids
from mutualaid.core.extensions import db
from mutualaid.notifications import domain, sms
from mutualaid.notifications.cli import (
    deliver_notifications, notification_checks, notify_rq_worker, notify_worker,
)
from mutualaid.notifications.kinds import KINDS, TEXTS, render
from mutualaid.notifications.models import Notification
from mutualaid.notifications.schemas import dump_settings
from mutualaid.places.models import Community

bp = Blueprint("notifications", __name__, cli_group=None)
for command in (notify_worker, deliver_notifications, notification_checks, notify_rq_worker):
    bp.cli.add_command(command)
AUDIENCE_NAMES = {
    "everyone": lazy_gettext("Everyone"), "elderly": lazy_gettext("Older people"),
    "children": lazy_gettext("Children"), "youth": lazy_gettext("Young people"),
    "women": lazy_gettext("Women"), "disabled": lazy_gettext("People with disabilities"),
    "families": lazy_gettext("Families"),
}


@bp.get("/notifications")
@login_required
def inbox():
    """My notifications, newest first, and what I am told and how."""
    page = db.paginate(domain.inbox_select(current_user), per_page=30, max_per_page=30)
    items = [(row, *render(row)) for row in page.items]
    return render_template(
        "notifications/inbox.html", page=page, items=items,
        settings=dump_settings(domain.settings_of(current_user)),
        kinds=[(kind, TEXTS[kind][0]) for kind in KINDS], audience_names=AUDIENCE_NAMES)


@bp.get("/notifications/<id:notification_id>")
@login_required
def open_notification(notification_id):
    """Open one of my notifications: it is read, and its page opens."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    domain.mark_read(current_user, [row.id])
    db.session.commit()
    target = row.url if row.url.startswith("/") and not row.url.startswith("//") else "/"
    return redirect(target, code=303)  # "see the page it is about" (302 means: sign in)


@bp.get("/staff/sms")
@login_required
def staff_sms():
    """Staff: the SMS written for residents of my communities, newest first, to phone them
    or hand the text over at the hut."""
    if not current_user.is_staff:
        abort(403)
    communities = ([c.id for c in db.session.scalars(sa.select(Community))]
                   if current_user.role == "admin" else staff_community_ids(current_user))
    page = db.paginate(sms.outbox_select(communities), per_page=30, max_per_page=30)
    return render_template("notifications/sms.html", page=page)

