"""Who sees an order, and how: visibility, staff scope, the requester's contact details,
and the select behind every order list."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from mutualaid.accounts.domain import staff_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.errors import Forbidden, NotFound
from mutualaid.core.extensions import db
from mutualaid.orders.models import Order, OrderTag

# What dumping an order reads, loaded for a whole page at once (no query per row).
LIST_LOADS = (so.selectinload(Order.requester).selectinload(User.unit),
              so.selectinload(Order.helper), so.selectinload(Order.building))
PARTY_STATUSES = ("accepted", "in_progress", "completed", "confirmed")


def is_staff_for(user, order, staff_of=None):
    """True for admins and staff of the order's community (``staff_of``: the user's
    ``staff_community_ids`` when the caller already has them)."""
    if user.role == "admin":
        return True
    return order.community_id in (staff_community_ids(user) if staff_of is None else staff_of)


def home_community_id(user):
    """The community of the user's home unit, or None."""
    return user.unit.building.community_id if user.unit is not None else None


def require_member_of(user, community_id):
    """Raise Forbidden unless ``user`` lives in the community or serves it as staff."""
    if user.role == "admin" or community_id in staff_community_ids(user):
        return
    if home_community_id(user) != community_id:
        raise Forbidden(_("This is for the community's residents and staff."))


def can_see(user, order):
    """Whether ``user`` may see ``order``: parties, its community (unless hidden), its staff."""
    if user.id in (order.requester_id, order.helper_id, order.created_by_id):
        return True
    if is_staff_for(user, order):
        return True
    return not order.hidden and home_community_id(user) == order.community_id


def get_visible(user, order_id):
    """The order if ``user`` may see it; raises NotFound otherwise (no hint that it exists)."""
    order = db.session.get(Order, order_id)
    if order is None or not can_see(user, order):
        raise NotFound(_("This order does not exist or is not visible to you."))
    return order


def sees_contact(user, order, staff_of=None):
    """The requester, the accepted helper and the community's staff see how to reach them."""
    if user.id == order.requester_id or is_staff_for(user, order, staff_of):
        return True
    return user.id == order.helper_id and order.status in PARTY_STATUSES


def sees_helper_contact(user, order, staff_of=None):
    """The requester and the community's staff see how to reach the helper, once accepted."""
    if order.helper_id is None or order.status not in PARTY_STATUSES:
        return False
    return user.id == order.requester_id or is_staff_for(user, order, staff_of)


def visible_orders(viewer, status=None, tag=None, building_id=None, mine=False):
    """A select of the orders ``viewer`` may list, newest first, with the given filters."""
    select = (sa.select(Order).order_by(Order.created_at.desc(), Order.id.desc())
              .options(*LIST_LOADS))
    party = sa.or_(Order.requester_id == viewer.id, Order.helper_id == viewer.id,
                   Order.created_by_id == viewer.id)
    if mine:
        select = select.where(party)
    elif viewer.role != "admin":
        staff_of = staff_community_ids(viewer)
        community = home_community_id(viewer)
        select = select.where(sa.or_(
            party, Order.community_id.in_(staff_of),
            sa.and_(Order.community_id == community, Order.hidden.is_(False)),
        ))
    if status:
        select = select.where(Order.status == status)
    if building_id:
        select = select.where(Order.building_id == building_id)
    if tag:
        select = select.where(sa.exists().where(
            OrderTag.order_id == Order.id,
            sa.or_(OrderTag.tag == tag, OrderTag.tag.startswith(tag + ".", autoescape=True)),
        ))
    return select
