"""Domain exceptions and the one place that turns errors into responses.

Domain functions raise these; API routes answer them as
``{"error": {"code", "message", "fields"}}``, pages as an HTML error page.
"""
from flask import g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base of every error a domain function may raise on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, *, code=None, fields=None):
        super().__init__(message or self.code)
        self.message = message or self.code.replace("_", " ")
        self.code = code or self.code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """Input that does not fit: 400 with per-field messages."""

    status, code = 400, "invalid_input"


class Unauthorized(DomainError):
    """Not signed in, or bad credentials: 401."""

    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    """Signed in but not allowed: 403."""

    status, code = 403, "forbidden"


class NotFound(DomainError):
    """No such thing (or not visible to the actor): 404."""

    status, code = 404, "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, full, race lost): 409."""

    status, code = 409, "conflict"


class InvalidTransition(Conflict):
    """A lifecycle step that the current state does not allow: 409."""

    code = "invalid_transition"


class Unavailable(DomainError):
    """The database or queue cannot take the request right now: 503."""

    status, code = 503, "unavailable"


HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 429: "rate_limited", 503: "unavailable",
}


def http_message(error):
    """A werkzeug error's text in the reader's language (werkzeug writes only English)."""
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You may not do this."),
        404: _("This page does not exist, or it was moved."),
        405: _("This address does not take this kind of request."),
        409: _("This clashes with a change made in the meantime."),
        413: _("What was sent is too large."),
        415: _("This kind of content is not accepted here."),
        429: _("Too many requests. Please wait a moment and try again."),
        503: _("The service is busy. Please try again in a moment."),
    }
    if error.code == 400 and "CSRF" in (error.description or ""):
        return _("The form has expired. Reload the page and try again.")
    return messages.get(error.code, _("Something went wrong on our side."))


def wants_json():
    """True when the client should get JSON: API paths, or clients that prefer it."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status, code, message, fields=None):
    """Answer an error as JSON or HTML, by what the client accepts."""
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return make_response(jsonify(body), status)
    return make_response(render_template("error.html", status=status, message=message), status)


def init_app(app):
    """Register the error handlers."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error):
        return error_response(error.status, error.code, error.message, error.fields)

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        code = HTTP_CODES.get(error.code, "error")
        if error.code == 400 and "CSRF" in (error.description or ""):
            code = "csrf_failed"
        response = error_response(error.code, code, http_message(error))
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def handle_database_unavailable(error):
        # A locked SQLite file, a full disk, a lost PostgreSQL connection or no free pooled
        # connection in time: nothing was committed, so the client may safely try again.
        from mutualaid.core.extensions import db

        db.session.rollback()
        app.logger.warning("database unavailable: %s", getattr(error, "orig", error))
        response = error_response(503, "unavailable",
                                  _("The service is busy. Please try again in a moment."))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        from mutualaid.core.extensions import db

        # A failed transaction would fail all that follows too: the page, the request log.
        db.session.rollback()
        app.logger.exception("unhandled error", extra={"request_id": g.get("request_id")})
        return error_response(500, "internal_error", _("Something went wrong on our side."))
