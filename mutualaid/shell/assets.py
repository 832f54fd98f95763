"""Versioned static asset URLs: every ``url_for('static', ...)`` carries ``?v=<version>``, the
digest of all static files, so that a deploy changes every asset URL and the service worker's
cache name, and installed phones fetch the new CSS and JS."""
import hashlib
from pathlib import Path

from flask import current_app

_KEY = "shell_assets_version"


def assets_version(app=None):
    """The first 12 hex digits of the SHA-256 over every static file's path and content, read
    once per process (a deploy restarts it)."""
    app = app or current_app
    version = app.extensions.get(_KEY)
    if version is None:
        digest = hashlib.sha256()
        root = Path(app.static_folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        version = app.extensions[_KEY] = digest.hexdigest()[:12]
    return version


def add_version(endpoint, values):
    """``url_defaults`` hook: static URLs get ``v``."""
    if endpoint == "static" and "v" not in values:
        values["v"] = assets_version()


def cache_versioned(response, request):
    """Static files asked for at the current version may be kept for a year (the URL changes
    with every deploy); anything else is revalidated each time."""
    if request.endpoint == "static" and request.args.get("v") == assets_version():
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
