"""The /api/v1 blueprint: one ``endpoint`` decorator parses, authorises and documents a route.

Features add their routes in their own ``api.py`` with ``@endpoint(...)``; the OpenAPI
document is generated from the same registry, so it cannot drift from the routes.
"""
import functools
import json

from flask_babel import gettext as _
from flask import Blueprint, request
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from mutualaid.errors import Forbidden, Unauthorized, ValidationFailed
from mutualaid.extensions import db, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ROUTES = []  # (rule, method, options) for the OpenAPI document
AUTH_LEVELS = ("anyone", "user", "verified", "staff", "admin")


def endpoint(rule, method="GET", *, body=None, query=None, response=None, status=200,
             auth="user", summary="", tag=None, limit=None, paged=False,
             content_type="application/json"):
    """Register an API route: checks ``auth``, loads ``body``/``query`` into ``data``/``args``.

    ``limit`` is a Flask-Limiter rate ("10/minute") applied per client address;
    ``content_type`` is what a success answers (for the document: CSV exports).
    """
    assert auth in AUTH_LEVELS

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            require_auth(auth)
            if body is not None:
                kwargs["data"] = load(body, read_json())
            if query is not None or paged:
                kwargs["args"] = load_query(query, paged)
            return view(**kwargs)

        wrapper.__name__ = f"{view.__module__.split('.')[-2]}_{view.__name__}"
        view_func = limiter.limit(limit)(wrapper) if limit else wrapper
        bp.add_url_rule(rule, endpoint=wrapper.__name__, view_func=view_func, methods=[method])
        ROUTES.append((rule, method, dict(
            body=body, query=query, response=response, status=status, auth=auth,
            summary=summary or (view.__doc__ or "").strip().splitlines()[0],
            tag=tag or view.__module__.split(".")[-2], paged=paged, content_type=content_type,
        )))
        return wrapper

    return decorator


def require_auth(level):
    """Raise Unauthorized/Forbidden unless the current user meets ``level``."""
    if level == "anyone":
        return
    if not current_user.is_authenticated:
        raise Unauthorized(_("Please sign in."))
    if level == "verified" and not current_user.verified and not current_user.is_staff:
        raise Forbidden(_("Please have your identity verified at the share hut first."),
                        code="not_verified")
    if level == "staff" and not current_user.is_staff:
        raise Forbidden(_("Only staff may do this."))
    if level == "admin" and current_user.role != "admin":
        raise Forbidden(_("Only an administrator may do this."))


def load_query(schema, paged):
    """The query string loaded with ``schema`` (unknown keys ignored), plus page arguments."""
    raw = request.args.to_dict()
    args = load(schema, raw, unknown=EXCLUDE) if schema is not None else {}
    if paged:
        args |= load(PAGE_ARGS, raw, unknown=EXCLUDE)
    return args


def read_json():
    """The request body as a JSON object; raises ValidationFailed for anything else."""
    try:
        payload = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        raise ValidationFailed(_("The body is not valid JSON."), code="invalid_json") from None
    if not isinstance(payload, dict):
        raise ValidationFailed(_("The body must be a JSON object."), code="invalid_json")
    return payload


def load(schema, payload, unknown=None):
    """Validate ``payload`` with a marshmallow schema; raises ValidationFailed with field errors."""
    try:
        return schema.load(payload, unknown=unknown) if unknown else schema.load(payload)
    except ValidationError as error:
        raise ValidationFailed(_("Some fields are not valid."), fields=_string_keys(error.messages))
    except RecursionError:
        raise ValidationFailed(_("The body is nested too deeply."), code="invalid_json") from None


def _string_keys(messages):
    """Field errors with string keys (list indexes become "0", "1"...), messages translated."""
    if isinstance(messages, dict):
        return {str(key): _string_keys(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_string_keys(message) for message in messages]
    return _(messages) if isinstance(messages, str) else messages


class PageArgs(Schema):
    """``?page=&per_page=`` for every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


PAGE_ARGS = PageArgs()


def page_of(select, dump, args):
    """A list answer ``{"items", "page", "pages", "total"}`` for a select, dumped with ``dump``."""
    page = db.paginate(select, page=args["page"], per_page=args["per_page"], error_out=False,
                       max_per_page=100)
    return {"items": [dump(row) for row in page.items], "page": page.page,
            "pages": page.pages, "total": page.total}


def register_feature_routes():
    """Import every feature's api module so their routes join the blueprint."""
    from mutualaid.accounts import api as _accounts  # noqa: F401
    from mutualaid.appeals import api as _appeals  # noqa: F401
    from mutualaid.streets import api as _streets  # noqa: F401
    from mutualaid.api import openapi as _openapi  # noqa: F401
    from mutualaid.matching import api as _matching  # noqa: F401
    from mutualaid.catalogue import api as _catalogue  # noqa: F401
    from mutualaid.kiosk import api as _kiosk  # noqa: F401
    from mutualaid.places import api as _places  # noqa: F401
    from mutualaid.orders import api as _orders  # noqa: F401
    from mutualaid.votes import api as _votes  # noqa: F401
