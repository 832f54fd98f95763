"""Order factories: a neighbourhood of people, and orders brought to any status."""
from dataclasses import dataclass
from datetime import timedelta

from mutualaid.accounts.models import User
from mutualaid.core.database import utcnow
from mutualaid.orders import domain
from mutualaid.orders.models import Order
from tests.factories import make_building, make_community, make_staff, make_unit, make_user


@dataclass
class Neighbourhood:
    """One community with a building, a requester, a helper, a third neighbour and staff."""

    community: object
    building: object
    requester: User
    helper: User
    other: User
    staff: User


def make_neighbourhood(vulnerable=False, vetted_helper=False):
    """A community whose residents are all verified in one building."""
    community = make_community()
    building = make_building(community, name="B")
    requester = make_user(verified=True, unit=make_unit(building, "101"),
                          vulnerable=vulnerable, phone="13800000001")
    helper = make_user(verified=True, unit=make_unit(building, "302"), vetted=vetted_helper)
    other = make_user(verified=True, unit=make_unit(building, "601"))
    staff = make_staff(community)
    return Neighbourhood(community, building, requester, helper, other, staff)


def make_order(requester, actor=None, **fields):
    """An open order posted by ``requester`` (or by staff ``actor`` on their behalf)."""
    data = {"title": "Leaking tap", "description": "The kitchen tap drips.",
            "tags": ["repair.plumbing"], "urgency": "normal"} | fields
    if actor is not None:
        data["on_behalf_of"] = requester.id
    return domain.create_order(actor or requester, data)


def order_in(status, hood):
    """An order of ``hood.requester`` brought to ``status`` through the real lifecycle."""
    if status == "expired":
        order = make_order(hood.requester, window_end=utcnow() + timedelta(minutes=5))
        domain.expire_due_orders(utcnow() + timedelta(minutes=10))
        return order
    order = make_order(hood.requester)
    steps = {
        "accepted": lambda: domain.accept_order(hood.helper, order),
        "in_progress": lambda: domain.start_order(hood.helper, order),
        "completed": lambda: domain.complete_order(hood.helper, order, 45),
        "confirmed": lambda: domain.confirm_order(hood.requester, order, 5, "Thank you"),
    }
    if status == "cancelled":
        return domain.cancel_order(hood.requester, order)
    for name, step in steps.items():
        if order.status == status:
            break
        step()
    assert order.status == status
    return order


def reload(order):
    """The order as the database has it now."""
    from mutualaid.core.extensions import db

    db.session.expire_all()
    return db.session.get(Order, order.id)
