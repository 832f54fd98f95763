"""What a kiosk-scoped person token may do: the kiosk screens' actions and the reads they need.

A resident who signs in at a lobby tablet with a PIN gets a 5-minute token marked with the
kiosk. Four to six digits typed on a public screen must not open the whole account (its
PIN, its password, its offers, and for staff their staff powers): every request made with
such a token is checked here, once for the API and the pages alike, against one allow-list.
Features join the kiosk by adding their API endpoint names (``<feature>_<view>``).
"""
from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from mutualaid.accounts.auth import bearer_token
from mutualaid.core.errors import Forbidden

KIOSK_SCOPE = {
    "accounts_me",  # whose name the screen greets
    "accounts_revoke_current_token",  # the screen signs the person out when it resets
    "orders_create",  # a need, for oneself (staff: on someone's behalf)
    "orders_get",
    "votes_list_votes",
    "votes_show_vote",
    "votes_vote_result",
    "votes_cast_ballot",  # one's own ballot, or staff recording an assisted one
    "votes_pending_units",  # staff: whom an assisted ballot can be for
    "catalogue_list_services",
    "catalogue_get_service",
    "catalogue_book",
    "catalogue_cancel_booking",
    "catalogue_my_bookings",
    "appeals_create",  # a problem reported at the hut (staff: after a home visit)
    "votes_ask_question",  # a question on a vote in scope
    "votes_get_my_share",  # the voter's own cost share, shown before the choice
    "votes_get_shares",  # staff: the share of the unit an assisted ballot is for
    "conversation_list_messages",  # the conversation on one's own orders
    "conversation_post_message",
}


def kiosk_token():
    """The kiosk-scoped ApiToken this request is authenticated by, or None."""
    if bearer_token() is None or not current_user.is_authenticated:
        return None
    token = g.get("api_token")
    return token if token is not None and token.kiosk_id is not None else None


def enforce_kiosk_scope():
    """Refuse (403 ``kiosk_scope``) anything outside the kiosk's scope done with its token."""
    if kiosk_token() is None:
        return
    blueprint, _sep, name = (request.endpoint or "").partition(".")
    if blueprint != "api" or name not in KIOSK_SCOPE:
        raise Forbidden(_("A kiosk sign-in cannot do this. Use your phone or the share hut."),
                        code="kiosk_scope")


def init_app(app):
    """Check every request made with a kiosk-scoped token."""
    app.before_request(enforce_kiosk_scope)
