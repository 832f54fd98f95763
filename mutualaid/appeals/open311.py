"""Open311 GeoReport v2 at ``/open311/v2/``: the categories as services, public appeals as
service requests (JSON or XML), and filing by ``api_key`` (a bearer token).

Answers follow the GeoReport v2 schemas: ``service_request_id`` is a string, ``status`` is
``open`` or ``closed``, times carry the community's offset, errors are
``[{"code", "description"}]``. Only public appeals are listed, and never a name.
"""
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from mutualaid.accounts.domain import token_for
from mutualaid.appeals import domain
from mutualaid.appeals.categories import CATEGORIES, category_name
from mutualaid.appeals.models import OPEN_STATUSES, Appeal
from mutualaid.appeals.period import local_zone
from mutualaid.core.errors import DomainError
from mutualaid.core.extensions import db
from mutualaid.places.models import Building, Community
from mutualaid.streets.models import Grid, Street, StreetCommunity

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = ("json", "xml")
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
TITLE_CHARACTERS = 40


class Open311Error(Exception):
    """An error answered in GeoReport's shape."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status, self.description = status, description


def _format(fmt):
    """The answer's format; an unknown one is a 404."""
    if fmt not in FORMATS:
        raise Open311Error(404, _("Use .json or .xml."))
    return fmt


def answer(items, fmt, root, element, status=200):
    """A list answered as JSON, or as XML ``<root><element>...</element></root>``."""
    if fmt == "json":
        response = jsonify(items)
    else:
        tree = ET.Element(root)
        for item in items:
            node = ET.SubElement(tree, element)
            for key, value in item.items():
                ET.SubElement(node, key).text = _xml_text(value)
        body = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
        response = Response(body, mimetype="application/xml")
    response.status_code = status
    return response


def _xml_text(value):
    """A value as XML text (booleans as the specification writes them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@bp.errorhandler(Open311Error)
def _open311_error(error):
    fmt = request.view_args.get("fmt") if request.view_args else "json"
    return answer([{"code": error.status, "description": error.description}],
                  fmt if fmt in FORMATS else "json", "errors", "error", error.status)


@bp.errorhandler(DomainError)
def _domain_error(error):
    status = 403 if error.status in (401, 403) else error.status
    return _open311_error(Open311Error(status, error.message))


@bp.errorhandler(HTTPException)
def _http_error(error):
    return _open311_error(Open311Error(error.code, error.description or error.name))


@bp.get("/services.<fmt>")
def services(fmt):
    """The appeal categories as GeoReport services."""
    items = [{"service_code": code, "service_name": category_name(code),
              "description": None, "metadata": False, "type": "realtime",
              "keywords": ", ".join(names), "group": None}
             for code, names in CATEGORIES.items()]
    return answer(items, _format(fmt), "services", "service")


@bp.get("/requests.<fmt>")
def requests_list(fmt):
    """Public appeals, newest first, filtered as GeoReport's GET requests."""
    fmt = _format(fmt)
    select = _filtered(sa.select(Appeal).where(Appeal.public.is_(True)), request.args)
    rows = db.session.scalars(select.order_by(Appeal.created_at.desc(), Appeal.id.desc())
                              .limit(MAX_RESULTS)).all()
    return answer(_dump_all(rows), fmt, "service_requests", "request")


@bp.get("/requests/<id:appeal_id>.<fmt>")
def request_one(appeal_id, fmt):
    """One public appeal, as a one-item list (as the specification does)."""
    fmt = _format(fmt)
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not appeal.public:
        raise Open311Error(404, _("No such service request."))
    return answer(_dump_all([appeal]), fmt, "service_requests", "request")


@bp.post("/requests.<fmt>")
def requests_post(fmt):
    """File an appeal with a bearer token as ``api_key`` (form-encoded, exempt from CSRF)."""
    fmt = _format(fmt)
    form = request.form
    token = token_for(form.get("api_key", "")) if form.get("api_key") else None
    if token is None:
        raise Open311Error(403, _("The api_key is not valid."))
    data = _filing(form)
    try:
        appeal = domain.file_appeal(token.user, data, anywhere=True)
    except DomainError as error:
        if error.code == "outside_community":
            raise Open311Error(400, _("No building within 300 m (outside_area).")) from None
        raise
    db.session.commit()
    notice = _("Received: %(level)s will take it.", level=domain.LEVEL_NAMES[appeal.level])
    return answer([{"service_request_id": str(appeal.id), "service_notice": notice}], fmt,
                  "service_requests", "request", 201)


def _filing(form):
    """The appeal fields of a GeoReport POST; raises Open311Error 400 for bad ones."""
    code = form.get("service_code", "")
    if code not in CATEGORIES:
        raise Open311Error(400, _("Unknown service_code."))
    description = (form.get("description") or "").strip()
    if not description or len(description) > 2000 or _has_control(description):
        raise Open311Error(400, _("Give a description of up to 2,000 characters."))
    data = {"category": code, "description": description,
            "title": description[:TITLE_CHARACTERS], "media_url": _media_url(form)}
    if form.get("address_id"):
        data["building_id"] = _number(form["address_id"], int, "address_id")
    elif form.get("lat") and form.get("long"):
        data["lat"] = _number(form["lat"], float, "lat", 90)
        data["lon"] = _number(form["long"], float, "long", 180)
    else:
        raise Open311Error(400, _("Give lat and long, or address_id."))
    return data


def _has_control(text):
    """True for control characters other than tab and newline, and bidi overrides."""
    return any((ord(c) < 32 and c not in "\t\n\r") or 0x202A <= ord(c) <= 0x202E
               or 0x2066 <= ord(c) <= 0x2069 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _number(text, kind, name, bound=None):
    """A number from the form; raises Open311Error 400."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or (kind is float and not abs(value) <= bound) or (
            kind is int and not 1 <= value < 2**63):
        raise Open311Error(400, _("%(name)s is not valid.", name=name))
    return value


def _media_url(form):
    """A link to media (stored for staff, never fetched), or None."""
    url = (form.get("media_url") or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise Open311Error(400, _("media_url must be an http or https address."))
    return url


def _filtered(select, args):
    """GeoReport's filters: ids, service_code, start_date/end_date, status."""
    if args.get("service_request_id"):
        ids = [_number(part, int, "service_request_id")
               for part in args["service_request_id"].split(",")[:MAX_RESULTS]]
        return select.where(Appeal.id.in_(ids))
    if args.get("service_code"):
        select = select.where(Appeal.category.in_(args["service_code"].split(",")))
    start, end = _moment(args.get("start_date")), _moment(args.get("end_date"))
    if start is None and end is None:
        start = datetime.now(local_zone()) - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        select = select.where(Appeal.created_at >= start)
    if end is not None:
        select = select.where(Appeal.created_at <= end)
    statuses = set((args.get("status") or "open,closed").split(","))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status is open, closed or both."))
    if statuses == {"open"}:
        select = select.where(Appeal.status.in_(OPEN_STATUSES))
    elif statuses == {"closed"}:
        select = select.where(Appeal.status.not_in(OPEN_STATUSES))
    return select


def _moment(text):
    """A W3C date-time (or a date) from the query; raises Open311Error 400."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("Dates are W3C date-times.")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise Open311Error(400, _("Dates are W3C date-times.")) from None


def _dump_all(appeals):
    """Appeals as GeoReport requests, with their buildings and responsible levels read once."""
    buildings = {b.id: b for b in db.session.scalars(sa.select(Building).where(
        Building.id.in_({a.building_id for a in appeals})))}
    names = _level_names({a.community_id for a in appeals}, {a.grid_id for a in appeals})
    return [_dump(a, buildings[a.building_id], names) for a in appeals]


def _level_names(community_ids, grid_ids):
    """The names of the grids, communities and streets that may be responsible."""
    names = {("community", c.id): c.name for c in db.session.scalars(
        sa.select(Community).where(Community.id.in_(community_ids)))}
    names |= {("grid", g.id): g.name for g in db.session.scalars(
        sa.select(Grid).where(Grid.id.in_(grid_ids - {None})))}
    for community_id, street in db.session.execute(
            sa.select(StreetCommunity.community_id, Street.name)
            .join(Street, Street.id == StreetCommunity.street_id)
            .where(StreetCommunity.community_id.in_(community_ids))):
        names[("street", community_id)] = street
    return names


def _dump(appeal, building, names):
    """One appeal as a GeoReport service request."""
    key = {"grid": ("grid", appeal.grid_id), "community": ("community", appeal.community_id),
           "street": ("street", appeal.community_id)}[appeal.level]
    return {
        "service_request_id": str(appeal.id),
        "status": "open" if appeal.status in OPEN_STATUSES else "closed",
        "status_notes": appeal.reply,
        "service_name": category_name(appeal.category),
        "service_code": appeal.category,
        "description": appeal.description or appeal.title,
        "agency_responsible": f"{domain.LEVEL_NAMES[appeal.level]}: {names.get(key, '')}",
        "service_notice": None,
        "requested_datetime": _local(appeal.created_at),
        "updated_datetime": _local(appeal.updated_at),
        "expected_datetime": _local(appeal.due_at),
        "address": building.name,
        "address_id": str(building.id),
        "zipcode": None,
        "lat": appeal.lat if appeal.lat is not None else building.lat,
        "long": appeal.lon if appeal.lon is not None else building.lon,
        "media_url": appeal.media_url,
    }


def _local(moment):
    """A time with the community's offset, to the second."""
    if moment is None:
        return None
    return moment.astimezone(local_zone()).replace(microsecond=0).isoformat()
