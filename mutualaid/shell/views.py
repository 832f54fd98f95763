"""The app shell: home, language switch, PWA manifest and service worker, offline page, health."""
from pathlib import Path

import sqlalchemy as sa
from flask import (Blueprint, current_app, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from mutualaid.core.extensions import db
from mutualaid.core.i18n import LANGUAGE_NAMES, html_lang, select_locale
from mutualaid.core.routing import is_local_path
from mutualaid.shell import assets

bp = Blueprint("shell", __name__)
bp.app_url_defaults(assets.add_version)
bp.after_app_request(lambda response: assets.cache_versioned(response, request))
# What features show on the shared pages, filled by mutualaid/features.py: the tab bar,
# home sections, "me" sections, the unread counts of the top bar.
NAV_LINKS = []  # (endpoint, label)
HOME_SECTIONS = []  # (template, function(user) -> section data)
ME_SECTIONS = []  # templates
UNREAD_COUNTS = []  # functions user -> {name: count} shown on the inbox link, kept live


@bp.app_context_processor
def shell_context():
    """Values every template may use."""
    locale = select_locale()
    counts = {}
    if current_user.is_authenticated and request.endpoint != "static":
        for count in UNREAD_COUNTS:
            counts |= count(current_user)
    return counts | {
        "html_lang": html_lang(locale), "current_locale": locale,
        "language_names": LANGUAGE_NAMES, "nav_links": NAV_LINKS, "me_sections": ME_SECTIONS,
        "relation_names": {"owner": _("Owner"), "tenant": _("Tenant"),
                           "family": _("Family member")},
    }


@bp.get("/")
def home():
    """The home page: sections contributed by features for a signed-in user, else a welcome."""
    if not current_user.is_authenticated:
        return render_template("shell/welcome.html")
    sections = [(template, context(current_user)) for template, context in HOME_SECTIONS]
    return render_template("shell/home.html", sections=sections)


@bp.post("/lang")
def set_language():
    """Switch the interface language (kept in a cookie, and on the account when signed in)."""
    lang = request.form.get("lang")
    if lang not in LANGUAGE_NAMES:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    target = request.form.get("next") or url_for("shell.home")
    if not is_local_path(target):
        target = url_for("shell.home")
    response = redirect(target)
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest (installable PWA)."""
    body = {
        "name": _("Share Hut"), "short_name": _("Share Hut"),
        "description": _("Neighbours helping neighbours"),
        "start_url": "/", "scope": "/", "display": "standalone",
        "background_color": "#fffaf2", "theme_color": "#b3471d",
        "lang": "zh-CN",
        "icons": [
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192",
             "type": "image/png", "purpose": "any maskable"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "any maskable"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that its scope is the whole app."""
    script = (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
    # A new deploy is a new worker (its bytes change), with caches of its own name.
    script = script.replace("__ASSETS_VERSION__", assets.assets_version())
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker when the network is gone."""
    return render_template("shell/offline.html")


@bp.get("/healthz")
def healthz():
    """Health check for load balancers: the database answers (else 503), and the queue when
    configured (when only the queue is down: 200 ``degraded``, live updates poll)."""
    checks = {"database": _check(lambda: db.session.execute(sa.text("SELECT 1")))}
    if current_app.config["SOCKETIO_MESSAGE_QUEUE"]:
        checks["queue"] = _check(_ping_queue)
    # Without the database nothing works: 503 takes the instance out of the balancer. Without
    # the queue requests still work and live updates fall back to polling: 200, "degraded".
    if checks["database"] != "ok":
        return jsonify(status="failing", checks=checks), 503
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200


def _check(probe):
    """"ok", or the class name of what went wrong."""
    try:
        probe()
        return "ok"
    except Exception as error:  # a health check reports failures, it must not raise them
        db.session.rollback()
        return type(error).__name__


def _ping_queue():
    """Ping the Redis message queue that links the Socket.IO workers."""
    import redis

    redis.Redis.from_url(current_app.config["SOCKETIO_MESSAGE_QUEUE"],
                         socket_timeout=2).ping()
