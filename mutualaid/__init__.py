"""Share Hut: neighbourhood mutual aid. ``create_app`` builds the Flask application."""
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app from ``config`` (a Config instance; from the environment when None)."""
    from mutualaid import cli, features
    from mutualaid.core import compression, errors, logs, metrics
    from mutualaid.accounts import auth
    from mutualaid.core.config import Config
    from mutualaid.core.database import engine_options
    from mutualaid.core.extensions import babel, csrf, db, limiter, migrate
    from mutualaid.core.i18n import select_locale
    from mutualaid.core.routing import IdConverter

    config = config or Config()
    app = Flask(__name__, instance_path=config.INSTANCE_DIR,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_object(config)
    app.config.from_pyfile("config.py", silent=True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    app.url_map.converters["id"] = IdConverter

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    compression.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    errors.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)
    auth.init_app(app)
    features.init_app(app)
    cli.init_app(app)
    trust_proxies(app)
    return app


def trust_proxies(app):
    """Behind ``TRUSTED_PROXIES`` proxies, read the client's address, scheme and host from
    their X-Forwarded-* headers (outermost, so Socket.IO's requests see them too)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
