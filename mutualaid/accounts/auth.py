"""Who is asking: cookie sessions for pages, bearer tokens for apps and kiosks, CSRF, headers."""
from flask import g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _

from mutualaid.accounts import domain
from mutualaid.accounts.models import User
from mutualaid.core.errors import error_response, wants_json
from mutualaid.core.extensions import csrf, db, login_manager

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def bearer_token():
    """The raw bearer token of this request, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class BearerAwareSessionInterface(SecureCookieSessionInterface):
    """A request with a bearer token is authenticated by that token alone: no cookie session
    is read or written, so a stale cookie can never act for it, and no CSRF is needed."""

    def open_session(self, app, request):
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return
        super().save_session(app, session, response)


@login_manager.user_loader
def load_user(session_id):
    """Flask-Login: the user of a cookie session, if the session is still current for them
    (``"<id>.<session_version>"``, see ``User.get_id``)."""
    user_id, _sep, version = str(session_id).partition(".")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@login_manager.request_loader
def load_user_from_bearer(req):
    """Flask-Login: the user of a bearer token (kept on ``g.api_token`` for revocation)."""
    raw = bearer_token()
    token = domain.token_for(raw) if raw else None
    if token is None:
        return None
    g.api_token = token
    return token.user


@login_manager.unauthorized_handler
def unauthorized():
    """API clients get 401 in the error format; pages go to the sign-in page."""
    if wants_json():
        return error_response(401, "unauthorized", _("Please sign in."))
    return redirect(url_for("accounts.login", next=request.full_path))


def protect_from_csrf():
    """Every state change made with a cookie session needs the CSRF token.

    Bearer requests carry no cookie session; anonymous API calls act as nobody.
    """
    if request.method in SAFE_METHODS or bearer_token():
        return
    if request.path.startswith(("/api/", "/open311/")) and "_user_id" not in session:
        return
    csrf.protect()


def security_headers(response):
    """CSP and friends on every response."""
    response.headers.update(SECURITY_HEADERS)
    return response


def init_app(app):
    """Wire sessions, loaders, CSRF and headers into the app."""
    app.session_interface = BearerAwareSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    app.before_request(protect_from_csrf)
    app.after_request(security_headers)
