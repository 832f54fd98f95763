"""Notification rules: ``notify`` (the one public entry point of other features), the inbox,
read state and settings. Functions flush but never commit; they raise domain errors.

``notify(users, kind, params, url)`` writes one inbox row per user and, in the same
transaction, a delivery row per channel the user wants for that kind (the persistent queue
``delivery.py`` works through after the commit); ``notification.created`` goes to each
user's room once the commit is done.
"""
import json
from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.core.errors import ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.notifications.kinds import KINDS, render_all
from mutualaid.notifications.models import (
    Delivery, Notification, NotificationSettings, PushSubscription,
)
from mutualaid.notifications.quiet import DEFAULT_QUIET, quiet_until
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room

AUDIENCES = ("everyone", "elderly", "children", "youth", "women", "disabled", "families")
DEFAULTS = {"push": True, "sms": False, "kinds": {}, "quiet_start": DEFAULT_QUIET[0],
            "quiet_end": DEFAULT_QUIET[1], "audiences": ["everyone"]}


class Written(NamedTuple):
    """An inbox row as written: what the writer's callers and announcements read of it."""

    id: int
    user_id: int
    kind: str
    params: dict
    url: str
    at: datetime


def notify(users, kind, params, url, *, now=None, merge_unread=False, once=False):
    """Tell ``users`` (users or ids) of ``kind`` with ``params`` (JSON values), linking to
    ``url`` (a path on this site). With ``merge_unread`` a user who still has an unread
    notice of the same kind and url gets no second one; with ``once``, a user who ever had
    one gets none. Returns the rows written (``Written``, not ORM objects)."""
    _check(kind, url)
    ids = sorted({getattr(user, "id", user) for user in users})
    if (merge_unread or once) and ids:
        ids = sorted(set(ids) - _already_told(ids, kind, url, unread_only=not once))
    return _write(kind, [(ids, params, url)], now or utcnow())


def notify_each(kind, notices, *, now=None):
    """``notify`` for each ``(users, params, url)`` of ``notices``, all of one ``kind``, with
    the readers' settings, phones and languages read once for all (a periodic check may tell
    thousands at once). Returns the rows written."""
    notices = [(sorted({getattr(user, "id", user) for user in users}), params, url)
               for users, params, url in notices]
    for _users, _params, url in notices:
        _check(kind, url)
    return _write(kind, notices, now or utcnow())


def _check(kind, url):
    """Refuse an unknown kind, or a url off this site (a programming error)."""
    if kind not in KINDS or not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"unknown kind {kind!r} or url {url!r}")


def _write(kind, notices, now):
    """The inbox rows of ``notices`` (user ids, params, url), their deliveries, and their
    ``notification.created`` announcements."""
    at = now.astimezone(UTC)  # as it is stored and read back
    values = [dict(user_id=user_id, kind=kind, params=dict(params), url=url, at=at)
              for ids, params, url in notices for user_id in ids]
    if not values:
        return []
    rows = _inserted(values)
    if _queue_deliveries(rows, now) and current_app.config.get("NOTIFY_QUEUE_URL"):
        from mutualaid.notifications.background import after_commit
        from mutualaid.notifications.rq_jobs import enqueue_for

        after_commit(enqueue_for, [row.id for row in rows])
    locales = _locales(sorted({row.user_id for row in rows}))
    texts = render_all([(row, reader_locale(locales.get(row.user_id))) for row in rows])
    for row, (title, body) in zip(rows, texts):
        announce("notification.created", _payload(row, title, body), [room("user", row.user_id)])
    return rows


def _inserted(values):
    """The inbox rows ``values`` inserted, in their order: a Core insert (no ORM object per
    row of a fan-out) returning only the ids and what matches them back, a statement per
    thousand rows or so. SQLite returns a many-row insert's rows in no set order (asking
    for it sends a statement per row), hence the matching: by user and url, and by params
    too where those repeat; rows alike in all three are alike in every column."""
    table = Notification.__table__
    places = [(value["user_id"], value["url"]) for value in values]
    repeated = len(set(places)) < len(places)  # one user told twice of one url in a write
    columns = [table.c.id, table.c.user_id, table.c.url] + [table.c.params] * repeated
    ids = {}
    for row in db.session.execute(sa.insert(table).returning(*columns), values):
        ids.setdefault(_match(row._mapping, repeated), []).append(row.id)
    return [Written(ids[_match(value, repeated)].pop(), **value) for value in values]


def _match(row, by_params):
    """What an inserted row is matched back by."""
    if by_params:
        return row["user_id"], row["url"], json.dumps(row["params"], sort_keys=True, default=str)
    return row["user_id"], row["url"]


def _already_told(ids, kind, url, unread_only):
    """Which of ``ids`` have a notice of ``kind`` at ``url`` (an unread one: ``unread_only``)."""
    select = sa.select(Notification.user_id).where(
        Notification.user_id.in_(ids), Notification.kind == kind, Notification.url == url)
    if unread_only:
        select = select.where(Notification.read_at.is_(None))
    return set(db.session.scalars(select))


def _queue_deliveries(rows, now):
    """A delivery row per channel each user wants for the kind, due after quiet hours;
    returns how many."""
    ids = sorted({row.user_id for row in rows})
    settings = settings_by_user(ids)
    pushable = set(db.session.scalars(sa.select(PushSubscription.user_id).distinct().where(
        PushSubscription.user_id.in_(ids))))
    phones = dict(db.session.execute(
        sa.select(User.id, User.phone).where(User.id.in_(ids))).all())
    deliveries, quiet = [], {}
    for row in rows:
        chosen = settings[row.user_id]
        if not chosen["kinds"].get(row.kind, True):
            continue
        due = _quiet_until(quiet, chosen["quiet_start"], chosen["quiet_end"], now)
        if chosen["push"] and row.user_id in pushable:
            deliveries.append(dict(notification_id=row.id, channel="push", due_at=due))
        if chosen["sms"] and phones.get(row.user_id):
            deliveries.append(dict(notification_id=row.id, channel="sms", due_at=due))
    if deliveries:
        db.session.execute(sa.insert(Delivery), [d | {"status": "pending", "attempts": 0}
                                                 for d in deliveries])
    return len(deliveries)


def _quiet_until(known, start, end, now):
    """When a delivery in quiet hours ``start``–``end`` is due (``now`` outside them), each
    pair worked out once in ``known``."""
    if (start, end) not in known:
        known[start, end] = quiet_until(start, end, now) or now
    return known[start, end]


def _locales(ids):
    """Each user's chosen language (None: the site's default)."""
    return dict(db.session.execute(
        sa.select(User.id, User.locale).where(User.id.in_(ids))).all())


def reader_locale(locale):
    """The locale to render for a user whose choice is ``locale``."""
    choices = current_app.config["LANGUAGES"]
    return locale if locale in choices else current_app.config["BABEL_DEFAULT_LOCALE"]


def _payload(row, title, body):
    """The ``notification.created`` payload, with its texts in the reader's language."""
    return {"id": row.id, "version": 1, "kind": row.kind, "title": title, "body": body,
            "url": row.url, "at": row.at.isoformat(), "read_at": None}


def inbox_select(user, unread_only=False):
    """A select of ``user``'s notifications, newest first."""
    select = (sa.select(Notification).where(Notification.user_id == user.id)
              .order_by(Notification.id.desc()))
    if unread_only:
        select = select.where(Notification.read_at.is_(None))
    return select


def unread_count(user):
    """How many of ``user``'s notifications are unread (``unread_notifications``)."""
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(user, ids=None, everything=False, now=None):
    """Mark some (``ids``) or all of ``user``'s notifications read; returns the unread left.
    Others' ids are ignored (never an oracle of who has which)."""
    if not everything and not ids:
        message = _("Name the notifications to mark read, or send all: true.")
        raise ValidationFailed(message, fields={"ids": [message]})
    update = (sa.update(Notification)
              .where(Notification.user_id == user.id, Notification.read_at.is_(None))
              .values(read_at=now or utcnow()).execution_options(synchronize_session=False))
    if not everything:
        update = update.where(Notification.id.in_(ids))
    db.session.execute(update)
    return unread_count(user)


def settings_by_user(ids):
    """``{user_id: settings dict}`` for ``ids`` (defaults where a user has no row); plain
    rows, not ORM objects: a fan-out reads thousands."""
    table = NotificationSettings.__table__
    rows = {row.user_id: row for row in db.session.execute(
        sa.select(table).where(table.c.user_id.in_(ids)))}
    return {user_id: _as_dict(rows.get(user_id)) for user_id in ids}


def _as_dict(row):
    """A settings row (or None) as a plain dict with every key."""
    if row is None:
        return {**DEFAULTS, "kinds": {}, "audiences": list(DEFAULTS["audiences"])}
    return {"push": row.push, "sms": row.sms, "kinds": dict(row.kinds or {}),
            "quiet_start": row.quiet_start, "quiet_end": row.quiet_end,
            "audiences": list(row.audiences or [])}


def settings_of(user):
    """``user``'s notification settings as a dict."""
    return settings_by_user([user.id])[user.id]


def update_settings(user, data):
    """Merge ``data`` (any of push, sms, kinds, quiet_hours, audiences) into ``user``'s
    settings: kinds merge key by key, ``quiet_hours: null`` turns quiet hours off."""
    row = db.session.get(NotificationSettings, user.id)
    if row is None:
        row = NotificationSettings(user_id=user.id, **_as_dict(None))
        db.session.add(row)
    for key in ("push", "sms"):
        if key in data:
            setattr(row, key, data[key])
    if "kinds" in data:
        row.kinds = dict(row.kinds or {}) | data["kinds"]
    if "quiet_hours" in data:
        quiet = data["quiet_hours"] or {"start": None, "end": None}
        row.quiet_start, row.quiet_end = quiet["start"], quiet["end"]
    if "audiences" in data:
        row.audiences = [a for a in AUDIENCES if a in set(data["audiences"])]
    db.session.flush()
    return settings_of(user)


def users_in_audience(audience, community_id):
    """Verified residents of ``community_id`` whose audiences include ``audience`` (精准推送);
    a service for ``everyone`` reaches them all."""
    from mutualaid.places.models import Building, Unit

    residents = db.session.scalars(
        sa.select(User.id).join(Unit, Unit.id == User.unit_id).join(Building)
        .where(Building.community_id == community_id, User.verified_at.is_not(None),
               User.active.is_(True))).all()
    if audience == "everyone":
        return residents
    settings = settings_by_user(residents)
    return [user_id for user_id in residents
            if audience in settings[user_id]["audiences"]]


def sent_since(user_ids, kind, since):
    """``{user_id: how many notices of kind}`` written to them since ``since``."""
    if not user_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Notification.user_id, sa.func.count(Notification.id))
        .where(Notification.user_id.in_(user_ids), Notification.kind == kind,
               Notification.at >= since)
        .group_by(Notification.user_id)).all())
