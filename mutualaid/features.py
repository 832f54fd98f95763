"""The one place that knows every feature: it registers each feature's pages and API routes,
and puts what features show on the shared pages (the tab bar, the home page, "me", the staff
desk, the ``GET /me`` answer, the ways to open a socket). Features never push into each other.
"""
from importlib import import_module

from flask_babel import lazy_gettext

from mutualaid import realtime
from mutualaid.api import bp as api_bp

# Packages under mutualaid/ with pages (views.py, blueprint ``bp``) and with /api/v1 routes
# (api.py), in the order their blueprints are registered.
PAGES = ("shell", "accounts", "places", "matching", "orders", "votes", "catalogue", "kiosk")
API = ("accounts", "matching", "catalogue", "kiosk", "places", "orders", "votes")


def init_app(app):
    """Register every feature's blueprint, its API routes and its parts of shared pages."""
    import_module("mutualaid.api.openapi")
    for name in API:
        import_module(f"mutualaid.{name}.api")
    for name in PAGES:
        app.register_blueprint(import_module(f"mutualaid.{name}.views").bp)
    app.register_blueprint(api_bp)
    _fill_shared_pages()
    realtime.init_app(app)
    import_module("mutualaid.kiosk.scope").init_app(app)  # kiosk sign-ins do kiosk things only


def _fill_shared_pages():
    """What each feature adds to the pages and answers that several features share."""
    from mutualaid.accounts.api import ME_EXTRAS
    from mutualaid.kiosk.sockets import authenticate_kiosk
    from mutualaid.orders import views as orders
    from mutualaid.orders.api import me_credits
    from mutualaid.places.views import STAFF_LINKS
    from mutualaid.realtime.sockets import SOCKET_AUTHENTICATORS
    from mutualaid.shell.views import HOME_SECTIONS, ME_SECTIONS, NAV_LINKS
    from mutualaid.votes import views as votes

    _replace(NAV_LINKS, [
        ("shell.home", lazy_gettext("Home")), ("accounts.me", lazy_gettext("Me")),
        ("orders.index", lazy_gettext("Orders")), ("matching.skills", lazy_gettext("Skills")),
        ("catalogue.index", lazy_gettext("Services")), ("votes.index", lazy_gettext("Votes")),
    ])
    _replace(HOME_SECTIONS, [("orders/home_section.html", orders.home_sections),
                             ("votes/home_section.html", votes.open_votes_for)])
    _replace(ME_SECTIONS, ["orders/me_section.html"])
    _replace(STAFF_LINKS, [
        ("orders.staff_visits", lazy_gettext("Visits to vulnerable residents")),
        ("orders.staff_reports", lazy_gettext("Reported orders")),
        ("catalogue.staff", lazy_gettext("Service catalogue")),
        ("kiosk.manage", lazy_gettext("Kiosks")), ("votes.new", lazy_gettext("New vote")),
    ])
    _replace(ME_EXTRAS, [me_credits])
    _replace(SOCKET_AUTHENTICATORS, [authenticate_kiosk])


def _replace(shared, items):
    """Fill a shared list in place (apps built one after another must not add twice)."""
    shared[:] = items
