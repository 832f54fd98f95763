"""Safeguarding: reports of orders (and of messages on them) to staff, and the staff list of visits to vulnerable
residents."""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import require_staff_of, staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.errors import Conflict
from mutualaid.core.extensions import db
from mutualaid.orders.models import Order, OrderReport

VISIT_STATUSES = ("accepted", "in_progress", "completed")
# A report may name one message of the order's conversation: conversation's ``find``
# (message_id -> message or None) and ``hide`` (actor, message_id), filled by
# mutualaid/features.py, so orders need not know how messages are kept.
MESSAGE_PARTS = {}


def report_order(actor, order, reason, message_id=None):
    """Report an order (or one message of its conversation) to its community's staff; one
    report per person and order, or message (Conflict)."""
    exists = db.session.scalar(sa.select(OrderReport.id).where(
        OrderReport.order_id == order.id, OrderReport.reporter_id == actor.id,
        OrderReport.message_id.is_(None) if message_id is None
        else OrderReport.message_id == message_id))
    if exists:
        message = (_("You have already reported this order.") if message_id is None
                   else _("You have already reported this message."))
        raise Conflict(message, code="duplicate")
    report = OrderReport(order_id=order.id, reporter_id=actor.id, reason=reason,
                         message_id=message_id)
    db.session.add(report)
    db.session.flush()
    return report


def reported_message(report):
    """The message a report names, or None for a report of the order itself."""
    if report.message_id is None:
        return None
    return MESSAGE_PARTS["find"](report.message_id)


def resolve_report(actor, report, hide, note=None):
    """Staff decide a report: ``hide`` hides what was reported (the message, or the order),
    ``note`` says why; the report is closed either way."""
    require_staff_of(actor, report.order.community_id)
    if hide and report.message_id is not None:
        MESSAGE_PARTS["hide"](actor, report.message_id)
    elif hide:
        from mutualaid.orders.domain import hide_order

        hide_order(actor, report.order)
    report.resolved, report.resolved_by_id, report.note = True, actor.id, note or None
    db.session.flush()
    return report


def resolve_reports(actor, order):
    """Staff mark every open report of ``order`` as dealt with."""
    require_staff_of(actor, order.community_id)
    db.session.execute(
        sa.update(OrderReport)
        .where(OrderReport.order_id == order.id, OrderReport.resolved.is_(False))
        .values(resolved=True, resolved_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )


def dismiss_report(actor, report):
    """Staff close a report without hiding the order (nothing wrong with it)."""
    require_staff_of(actor, report.order.community_id)
    report.resolved = True
    report.resolved_by_id = actor.id
    db.session.flush()
    return report


def _scoped(select, actor):
    """Limit a select on orders to the communities ``actor`` serves (admins: all)."""
    if actor.role == "admin":
        return select
    return select.where(Order.community_id.in_(staff_community_ids(actor)))


def reports_select(actor, resolved=False):
    """A select of reports in the communities ``actor`` serves, newest first."""
    select = (sa.select(OrderReport).join(Order, Order.id == OrderReport.order_id)
              .where(OrderReport.resolved.is_(resolved))
              .order_by(OrderReport.at.desc(), OrderReport.id.desc()))
    return _scoped(select, actor)


def visits_select(actor):
    """Staff's list of visits to vulnerable residents: accepted, under way or awaiting the
    resident's confirmation, oldest first so none is forgotten."""
    from mutualaid.orders.access import LIST_LOADS

    select = (sa.select(Order).join(User, User.id == Order.requester_id).options(*LIST_LOADS)
              .where(User.vulnerable.is_(True), Order.status.in_(VISIT_STATUSES))
              .order_by(Order.updated_at, Order.id))
    return _scoped(select, actor)
