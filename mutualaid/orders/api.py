"""/api/v1 routes for help orders, their lifecycle, time credits and safeguarding."""
from flask import current_app
from flask_login import current_user

from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.orders import access, board, credits, domain, expiry, reports
from mutualaid.orders.matches import order_matches, suggestions_for
from mutualaid.orders.schemas import (
    BoardSchema, CompleteSchema, ConfirmSchema, EventListSchema, HideSchema, LedgerSchema,
    MatchListSchema, MatchQuerySchema, NewOrderSchema, OrderQuerySchema, OrderSchema,
    ReportInSchema, ReportQuerySchema, ReportSchema, ResolveSchema, SuggestionListSchema, ThanksSchema,
    credit_schema, dump_order, event_schema, order_dumper, report_schema,
)
from mutualaid.orders.models import OrderReport
from mutualaid.places.models import Community



def me_credits(user):
    """What orders add to ``GET /me``: the time credits balance."""
    return {"credits_minutes": credits.balance_minutes(user.id)}


def export_orders(user):
    """The user's own orders, for their data export (``GET /me/export``)."""
    return [dump_order(order, user)
            for order in db.session.scalars(access.visible_orders(user, mine=True))]


def export_ledger(user):
    """The user's time credits, for their data export."""
    return [credit_schema.dump(entry) for entry in db.session.scalars(
        credits.ledger_select(user.id))]


def _expire_due():
    """Expire overdue open orders before answering (lazily, besides the CLI job)."""
    expiry.expire_due_on_read()


def _answer(order):
    """Commit the change and answer the order as the current user sees it."""
    db.session.commit()
    return dump_order(order, current_user)


@endpoint("/orders", "POST", body=NewOrderSchema(), response=OrderSchema, status=201,
          limit="30/minute")
def create(data):
    """Post a need (staff: ``on_behalf_of`` a resident of their community)."""
    order = domain.create_order(current_user, data)
    answer = _answer(order)
    expiry.order_posted(order)
    return answer, 201


@endpoint("/orders", query=OrderQuerySchema(), response=OrderSchema, paged=True)
def list_orders(args):
    """Orders I may see, newest first: ``?status=&tag=&building_id=&mine=``."""
    _expire_due()
    select = access.visible_orders(current_user, args["status"], args["tag"],
                                   args["building_id"], args["mine"])
    return page_of(select, order_dumper(current_user), args)


@endpoint("/orders/<id:order_id>", response=OrderSchema)
def get(order_id):
    """One order; ``contact`` only for its requester, accepted helper and staff."""
    _expire_due()
    return dump_order(access.get_visible(current_user, order_id), current_user)


@endpoint("/orders/<id:order_id>/events", response=EventListSchema)
def events(order_id):
    """The order's timeline, creation included."""
    order = access.get_visible(current_user, order_id)
    return {"items": [event_schema.dump(event) for event in domain.events_of(order)]}


@endpoint("/orders/<id:order_id>/matches", query=MatchQuerySchema(), response=MatchListSchema)
def matches(order_id, args):
    """Requester and staff: the neighbours who could help, best first, with reasons."""
    order = access.get_visible(current_user, order_id)
    ranked = order_matches(current_user, order, args["limit"])
    return {"items": [candidate.as_dict() for candidate in ranked]}


@endpoint("/me/suggestions", query=MatchQuerySchema(), response=SuggestionListSchema)
def suggestions(args):
    """Open orders of my community that fit my skills and offers, best first."""
    _expire_due()
    ranked = suggestions_for(current_user, args["limit"])
    dump = order_dumper(current_user)
    return {"items": [{"order": dump(order), "match": candidate.as_dict()}
                      for order, candidate in ranked]}


@endpoint("/orders/<id:order_id>/accept", "POST", response=OrderSchema)
def accept(order_id):
    """Take an open order (409 when someone else was first)."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.accept_order(current_user, order))


@endpoint("/orders/<id:order_id>/start", "POST", response=OrderSchema)
def start(order_id):
    """The helper starts the visit."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.start_order(current_user, order))


@endpoint("/orders/<id:order_id>/complete", "POST", body=CompleteSchema(),
          response=OrderSchema)
def complete(order_id, data):
    """The helper reports the work done with the minutes it took (1–600)."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.complete_order(current_user, order, data["minutes"]))


@endpoint("/orders/<id:order_id>/confirm", "POST", body=ConfirmSchema(), response=OrderSchema)
def confirm(order_id, data):
    """The requester (or staff) confirms and rates 1–5; the helper is credited."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.confirm_order(current_user, order, data["rating"], data["comment"]))


@endpoint("/orders/<id:order_id>/cancel", "POST", response=OrderSchema)
def cancel(order_id):
    """The requester (or staff) cancels an open or accepted order."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.cancel_order(current_user, order))


@endpoint("/orders/<id:order_id>/withdraw", "POST", response=OrderSchema)
def withdraw(order_id):
    """The helper hands an accepted order back; it is open again."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.withdraw_from_order(current_user, order))


@endpoint("/me/ledger", response=LedgerSchema, paged=True)
def ledger(args):
    """My time credits: balance and entries, newest first."""
    page = page_of(credits.ledger_select(current_user.id), credit_schema.dump, args)
    return {"balance_minutes": credits.balance_minutes(current_user.id), **page}


@endpoint("/orders/<id:order_id>/reports", "POST", body=ReportInSchema(),
          response=ReportSchema, status=201, limit="20/hour")
def report(order_id, data):
    """Report an order (spam, unsafe) to the community's staff."""
    order = access.get_visible(current_user, order_id)
    created = reports.report_order(current_user, order, data["reason"])
    db.session.commit()
    return report_schema.dump(created), 201


@endpoint("/reports", query=ReportQuerySchema(), response=ReportSchema, auth="staff",
          paged=True)
def list_reports(args):
    """Staff: reports in my communities (``?resolved=true`` for the dealt-with ones)."""
    return page_of(reports.reports_select(current_user, args["resolved"]), report_schema.dump,
                   args)


@endpoint("/reports/<id:report_id>/dismiss", "POST", response=ReportSchema, auth="staff")
def dismiss_report(report_id):
    """Staff close a report and leave the order as it is."""
    report = get_or_404(OrderReport, report_id)
    reports.dismiss_report(current_user, report)
    db.session.commit()
    return report_schema.dump(report)


@endpoint("/reports/<id:report_id>/resolve", "POST", body=ResolveSchema(), response=ReportSchema,
          auth="staff")
def resolve_report(report_id, data):
    """Staff decide a report of an order or a message: ``hide`` it or not, with a ``note``."""
    report = get_or_404(OrderReport, report_id)
    reports.resolve_report(current_user, report, data["hide"], data["note"])
    db.session.commit()
    return report_schema.dump(report)


@endpoint("/orders/<id:order_id>/hide", "POST", body=HideSchema(), response=OrderSchema,
          auth="staff")
def hide(order_id, data):
    """Staff hide a reported order (``{"hidden": false}`` shows it again)."""
    order = access.get_visible(current_user, order_id)
    return _answer(domain.hide_order(current_user, order, data["hidden"]))


@endpoint("/visits", response=OrderSchema, auth="staff", paged=True)
def visits(args):
    """Staff: accepted visits to vulnerable residents, with their contact details."""
    return page_of(reports.visits_select(current_user), order_dumper(current_user), args)


@endpoint("/communities/<id:community_id>/thanks", response=ThanksSchema)
def thanks(community_id):
    """The thank-you board: the community's most helpful neighbours this month."""
    community = get_or_404(Community, community_id)
    access.require_member_of(current_user, community.id)
    return credits.thanks_board(community.id)


@endpoint("/communities/<id:community_id>/board", response=BoardSchema)
def community_board(community_id):
    """The community's open orders as everyone sees them (no contact), newest first, at most
    50, with a ``version``; served from a per-process cache (see ``orders/board.py``)."""
    access.require_member_of(current_user, community_id)
    _expire_due()
    return current_app.response_class(board.board_json(community_id),
                                      mimetype="application/json")
