"""Texts the system writes into orders, stored as codes and shown in the reader's language.

A need posted at a lobby kiosk is titled with its skill tag and described as posted there; if
those were stored as words they would stay in the kiosk's language. Stored instead are
``@tag:<tag code>`` (a title) and ``@kiosk`` (a description or note); the API answers the
codes as stored (its JSON and live payloads are the same for every reader), and pages and the
kiosk screen show them with ``shown``.
"""
from flask_babel import gettext as _

from mutualaid.matching.tags import TAXONOMY, tag_name

KIOSK_POSTED = "@kiosk"
TAG_TITLE = "@tag:"


def shown(text, locale):
    """``text`` as the reader should see it: codes in their language, anything else as is."""
    if text == KIOSK_POSTED:
        return _("Posted at the share-hut kiosk.")
    if text and text.startswith(TAG_TITLE) and text[len(TAG_TITLE):] in TAXONOMY:
        return tag_name(text[len(TAG_TITLE):], locale)
    return text
