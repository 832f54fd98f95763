"""The kinds of notification and their texts, rendered in the reader's language from the
parameters stored with each row."""
import json
from datetime import datetime

from flask_babel import format_datetime, force_locale, get_locale, lazy_gettext

from mutualaid.orders import texts as order_texts

# kind: (title, body); bodies name parameters the caller stores ("%(title)s").
TEXTS = {
    "order.accepted": (lazy_gettext("Your need was accepted"),
                       lazy_gettext("%(helper)s will help with “%(title)s”.")),
    "order.started": (lazy_gettext("Your helper has started"),
                      lazy_gettext("%(helper)s started on “%(title)s”.")),
    "order.completed": (lazy_gettext("Please confirm the help"),
                        lazy_gettext("%(helper)s marked “%(title)s” as done.")),
    "order.confirmed": (lazy_gettext("Thank you for helping"),
                        lazy_gettext("%(requester)s confirmed “%(title)s”.")),
    "order.withdrawn": (lazy_gettext("Your helper cannot make it"),
                        lazy_gettext("“%(title)s” is open again for other neighbours.")),
    "order.cancelled": (lazy_gettext("A need was cancelled"),
                        lazy_gettext("%(requester)s cancelled “%(title)s”.")),
    "order.message": (lazy_gettext("New message"),
                      lazy_gettext("%(author)s wrote about “%(title)s”.")),
    "order.nearby": (lazy_gettext("A neighbour nearby needs help"),
                     lazy_gettext("“%(title)s”, %(distance_m)s m from you.")),
    "vote.opened": (lazy_gettext("A vote has opened"),
                    lazy_gettext("“%(title)s”: your ballot counts.")),
    "vote.closing_soon": (lazy_gettext("A vote closes soon"),
                          lazy_gettext("“%(title)s” closes %(closes_at)s; you have not "
                                       "voted yet.")),
    "vote.closed": (lazy_gettext("A vote has closed"),
                    lazy_gettext("“%(title)s”: %(result)s.")),
    "vote.answered": (lazy_gettext("Your question was answered"),
                      lazy_gettext("Staff answered you on “%(title)s”.")),
    "vote.notice": (lazy_gettext("A building project was announced"),
                    lazy_gettext("“%(title)s”: read the notice.")),
    "vote.objection": (lazy_gettext("Objections are open"),
                       lazy_gettext("“%(title)s”: the result may be objected to.")),
    "vote.final": (lazy_gettext("A result is final"),
                   lazy_gettext("“%(title)s”: the result is final.")),
    "booking.reminder": (lazy_gettext("Your booking starts soon"),
                         lazy_gettext("“%(title)s” at %(place)s, %(starts_at)s.")),
    "service.published": (lazy_gettext("A new service for you"),
                          lazy_gettext("“%(title)s” by %(provider)s, %(starts_at)s.")),
    "appeal.updated": (lazy_gettext("Your appeal was updated"),
                       lazy_gettext("“%(title)s”: %(step)s.")),
}
KINDS = tuple(TEXTS)
RESULTS = {"passed": lazy_gettext("passed"), "failed": lazy_gettext("not passed")}
# An appeal's steps (``step``), named as its timeline names them.
STEPS = {
    "filed": lazy_gettext("Reported"), "accepted": lazy_gettext("Accepted"),
    "started": lazy_gettext("Work started"), "resolved": lazy_gettext("Resolved"),
    "rejected": lazy_gettext("Not taken on"), "merged": lazy_gettext("Merged"),
    "escalated": lazy_gettext("Sent up a level"), "rated": lazy_gettext("Rated"),
    "reopened": lazy_gettext("Reopened"), "closed": lazy_gettext("Closed"),
    "overdue": lazy_gettext("Overdue"),
}
BODY_LIMIT = 300


class _Params(dict):
    """Parameters as texts: times in local time, results in words, an order's coded title
    (a kiosk-posted need: ``@tag:...``) in words, missing ones empty."""

    def __init__(self, params, kind, word=str):
        super().__init__(params)
        self.kind, self.word = kind, word

    def __getitem__(self, key):
        value = self.get(key, "")
        if key == "title" and self.kind.startswith("order."):
            return order_texts.shown(value, str(get_locale()))
        if key.endswith("_at") and isinstance(value, str) and value:
            return format_datetime(datetime.fromisoformat(value), "short")
        if key == "result":
            return self.word(RESULTS.get(value, value))
        if key == "step":
            return self.word(STEPS.get(value, value))
        return value

    def __missing__(self, key):
        return ""


def render(notification, locale=None):
    """``(title, body)`` of a notification in ``locale`` (the current one when None)."""
    if locale is None:
        return _render(notification.kind, notification.params or {})
    with force_locale(locale):
        return _render(notification.kind, notification.params or {})


def render_all(pairs):
    """``(title, body)`` of each ``(notification, locale)`` of ``pairs``: each distinct kind,
    parameters and locale rendered once (a fan-out's thousands of rows share one text), under
    one switch of locale per language, the kinds' texts and the words their parameters name
    translated once per language (a periodic check's thousands of notices differ)."""
    keys, todo = [], {}  # todo: locale -> {key: a notification of that text}
    for notification, locale in pairs:
        params = notification.params or {}
        key = (locale, notification.kind, json.dumps(params, sort_keys=True, default=str))
        todo.setdefault(locale, {}).setdefault(key, notification)
        keys.append(key)
    done = {}
    for locale, notifications in todo.items():
        word = _translated_once()
        with force_locale(locale):
            for key, notification in notifications.items():
                done[key] = _render(notification.kind, notification.params or {}, word)
    return [done[key] for key in keys]


def _translated_once():
    """``str`` of lazy texts, each translated once (in the locale current when first asked):
    the texts are the module's own, alive throughout, so their identity is the key."""
    words = {}

    def word(text):
        if id(text) not in words:
            words[id(text)] = str(text)
        return words[id(text)]

    return word


def _render(kind, params, word=str):
    """The texts of ``kind`` filled with ``params``; the body shortened to fit a push."""
    title, body = TEXTS[kind]
    text = word(body) % _Params(params, kind, word)
    if len(text) > BODY_LIMIT:
        text = text[:BODY_LIMIT - 1] + "…"
    return word(title), text
