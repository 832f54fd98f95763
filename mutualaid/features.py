"""The one place that knows every feature: it registers each feature's pages and API routes,
and puts what features contribute to shared places there (the tab bar, the home page, "me",
the staff desk, the ``GET /me`` answer, the data export and account closing, the ways to open
a socket, what the background worker runs every minute). Features never push into each
other's lists.
"""
from importlib import import_module

from flask_babel import lazy_gettext

from mutualaid import realtime
from mutualaid.api import bp as api_bp

# Modules under mutualaid/ with pages (blueprint ``bp``), in the order their blueprints are
# registered, and the modules holding /api/v1 routes.
PAGES = ("shell.views", "accounts.views", "places.views", "matching.views", "orders.views",
         "votes.views", "catalogue.views", "kiosk.views", "notifications.views", "appeals.views",
         "appeals.open311", "streets.views")
API = ("accounts.api", "accounts.self_api", "appeals.api", "streets.api", "matching.api",
       "catalogue.api", "conversation.api", "kiosk.api", "notifications.api", "places.api",
       "orders.api", "votes.api", "votes.project_api")


def init_app(app):
    """Register every feature's blueprint, its API routes and its parts of shared pages."""
    import_module("mutualaid.api.openapi")
    for name in API:
        import_module(f"mutualaid.{name}")
    for name in PAGES:
        app.register_blueprint(import_module(f"mutualaid.{name}").bp)
    app.register_blueprint(api_bp)
    _fill_shared_pages()
    _fill_account_parts()
    _fill_schedule()
    realtime.init_app(app)
    import_module("mutualaid.kiosk.scope").init_app(app)  # kiosk sign-ins do kiosk things only


def _fill_shared_pages():
    """What each feature adds to the pages that several features share."""
    from mutualaid.accounts import views as accounts
    from mutualaid.accounts.api import ME_EXTRAS
    from mutualaid.appeals import views as appeals
    from mutualaid.conversation import api as conversation_api
    from mutualaid.conversation.domain import find_message, hide_message
    from mutualaid.conversation.views import conversation_section
    from mutualaid.kiosk.sockets import authenticate_kiosk
    from mutualaid.notifications import api as notifications_api
    from mutualaid.orders import reports
    from mutualaid.orders import views as orders
    from mutualaid.orders.api import me_credits
    from mutualaid.orders.views import ORDER_SECTIONS
    from mutualaid.places.views import STAFF_COUNTS, STAFF_LINKS
    from mutualaid.realtime.sockets import SOCKET_AUTHENTICATORS
    from mutualaid.shell.views import HOME_SECTIONS, ME_SECTIONS, NAV_LINKS, UNREAD_COUNTS
    from mutualaid.votes import views as votes

    _replace(NAV_LINKS, [
        ("shell.home", lazy_gettext("Home")), ("accounts.me", lazy_gettext("Me")),
        ("orders.index", lazy_gettext("Orders")), ("matching.skills", lazy_gettext("Skills")),
        ("catalogue.index", lazy_gettext("Services")), ("votes.index", lazy_gettext("Votes")),
    ])
    _replace(HOME_SECTIONS, [("orders/home_section.html", orders.home_sections),
                             ("votes/home_section.html", votes.open_votes_for),
                             ("appeals/home_section.html", appeals.home_section)])
    _replace(ME_SECTIONS, ["orders/me_section.html"])
    _replace(STAFF_LINKS, [
        ("orders.staff_visits", lazy_gettext("Visits to vulnerable residents")),
        ("orders.staff_reports", lazy_gettext("Reported orders")),
        ("catalogue.staff", lazy_gettext("Service catalogue")),
        ("kiosk.manage", lazy_gettext("Kiosks")), ("votes.new", lazy_gettext("New vote")),
        ("votes.projects", lazy_gettext("Building projects and their time to decision")),
        ("notifications.staff_sms", lazy_gettext("SMS outbox")),
        ("appeals.staff", lazy_gettext("Appeals to handle")),
        ("streets.grids", lazy_gettext("Grids")), ("streets.streets", lazy_gettext("Streets")),
    ])
    _replace(STAFF_COUNTS, [
        ("accounts.verification_queue", lazy_gettext("waiting for verification"),
         accounts.waiting_for_verification),
        ("orders.staff_reports", lazy_gettext("open reports"), orders.open_report_count),
        ("votes.index", lazy_gettext("open votes"), votes.open_vote_count),
    ])
    _replace(ORDER_SECTIONS, [("conversation/section.html", conversation_section)])
    reports.MESSAGE_PARTS.update(find=find_message, hide=hide_message)
    unread = [conversation_api.me_unread, notifications_api.me_unread]
    _replace(ME_EXTRAS, [me_credits, *unread])
    _replace(UNREAD_COUNTS, unread)  # the inbox link's counts, the same as GET /me's
    _replace(SOCKET_AUTHENTICATORS, [authenticate_kiosk])


def _fill_account_parts():
    """What each feature keeps of a person: their data export, and what closing the account
    must wait for or erase."""
    from mutualaid.accounts import self_service
    from mutualaid.catalogue.api import export_bookings
    from mutualaid.catalogue.domain import give_up_bookings
    from mutualaid.matching import domain as matching
    from mutualaid.matching.api import export_offers, export_skills
    from mutualaid.orders import domain as orders
    from mutualaid.orders.api import export_ledger, export_orders
    from mutualaid.votes import owners

    _replace(self_service.EXPORT_PARTS, [
        ("skills", export_skills), ("offers", export_offers), ("bookings", export_bookings),
        ("orders", export_orders), ("ledger", export_ledger), ("ballots", owners.ballots_of),
    ])
    _replace(self_service.GUARDS, [owners.refuse_while_owner_in_open_vote])
    _replace(self_service.ERASERS, [matching.forget_skills_and_offers, orders.leave_orders,
                                    give_up_bookings])


def _fill_schedule():
    """What runs on the clock every minute (mutualaid/core/scheduler.py): what time made due,
    then the reminders."""
    from mutualaid.appeals import checks as appeals
    from mutualaid.catalogue.notices import booking_reminders
    from mutualaid.core.scheduler import PERIODIC_CHECKS, TIMED_JOBS
    from mutualaid.orders.domain import expire_due_orders
    from mutualaid.votes.domain import refresh_due_votes
    from mutualaid.votes.notices import closing_soon

    _replace(TIMED_JOBS, [expire_due_orders, refresh_due_votes, appeals.run_checks])
    _replace(PERIODIC_CHECKS, [closing_soon, booking_reminders])


def _replace(shared, items):
    """Fill a shared list in place (apps built one after another must not add twice)."""
    shared[:] = items
