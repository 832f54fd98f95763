"""Orders meet the matching engine: the best helpers for an order, the best orders for a
helper. Ranking lives in ``mutualaid.matching.ranking``; the helpers' record (completed
orders, current load, ratings) comes from the ledger side via ``credits.helper_stats``."""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.models import User
from mutualaid.core.errors import Forbidden
from mutualaid.core.extensions import db
from mutualaid.matching.ranking import Need, rank_candidates, rank_needs_for
from mutualaid.orders import access, credits, domain
from mutualaid.orders.models import Order
from mutualaid.places.models import Building, Unit

SUGGESTION_POOL = 500  # newest open orders of the community considered for suggestions


def need_for(order):
    """The matching engine's view of an order."""
    building = order.building
    return Need(
        tags=tuple(order.tags), lat=building.lat, lon=building.lon,
        building_id=order.building_id, requester_id=order.requester_id,
        vetted_only=order.requester.vulnerable,
        offer_owner_id=domain.offer_owner_id(order.offer_id) if order.offer_id else None,
        window_start=order.window_start, window_end=order.window_end, order_id=order.id,
    )


def matches_for(order, limit=20):
    """The ranked candidates for an order."""
    return rank_candidates(need_for(order), credits.helper_stats, limit=limit)


def order_matches(actor, order, limit=20):
    """The requester or the community's staff see who could help; raises Forbidden.

    Only neighbours of the order's community: matching is by distance, and the people (and
    skills) of the community across the street are not ours to show."""
    if actor.id != order.requester_id and not access.is_staff_for(actor, order):
        raise Forbidden(_("Only the requester or staff see the matches of an order."))
    candidates = matches_for(order, limit * 4)
    here = set(db.session.scalars(
        sa.select(User.id).join(Unit, Unit.id == User.unit_id).join(Building)
        .where(User.id.in_([c.user_id for c in candidates]),
               Building.community_id == order.community_id)))
    return [c for c in candidates if c.user_id in here][:limit]


def suggestions_for(user, limit=20):
    """Open orders of my community that I fit and may accept, best first, as
    ``[(order, candidate)]``."""
    community_id = access.home_community_id(user)
    if community_id is None or not user.verified:
        return []
    orders = db.session.scalars(
        sa.select(Order).where(Order.community_id == community_id, Order.status == "open",
                               Order.hidden.is_(False), Order.requester_id != user.id)
        .order_by(Order.created_at.desc()).limit(SUGGESTION_POOL)
    ).all()
    by_id = {order.id: order for order in orders}
    ranked = rank_needs_for(user, [need_for(order) for order in orders], credits.helper_stats,
                            limit=limit)
    return [(by_id[need.order_id], candidate) for need, candidate in ranked]
