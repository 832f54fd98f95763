"""The one list of features: their models, blueprints, API routes and socket handlers."""
from mutualaid import realtime
from mutualaid.api import bp as api_bp, register_feature_routes


def init_app(app):
    """Register every feature's blueprint and the API."""
    from mutualaid.accounts.views import bp as accounts_bp
    from mutualaid.appeals.open311 import bp as open311_bp
    from mutualaid.appeals.views import bp as appeals_bp
    from mutualaid.orders.views import bp as orders_bp
    from mutualaid.matching.views import bp as matching_bp
    from mutualaid.catalogue.views import bp as catalogue_bp
    from mutualaid.kiosk.views import bp as kiosk_bp
    from mutualaid.places.views import bp as places_bp
    from mutualaid.shell.views import bp as shell_bp
    from mutualaid.votes.views import bp as votes_bp

    register_feature_routes()
    for blueprint in (shell_bp, accounts_bp, places_bp, matching_bp, orders_bp, votes_bp,
                      catalogue_bp, kiosk_bp, appeals_bp, open311_bp, api_bp):
        app.register_blueprint(blueprint)
    realtime.init_app(app)
