"""Rules for a user's skills and offers (what neighbours can do for each other)."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from mutualaid.accounts.domain import community_of, require_verified, visible_community_ids
from mutualaid.accounts.models import User
from mutualaid.core.database import get_or_404
from mutualaid.core.errors import Forbidden, NotFound, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.matching import tags as taxonomy
from mutualaid.matching.models import (ALL_DAYS, ALL_PARTS, DAYS, DEFAULT_RADIUS_M, PARTS, Offer,
                                       OfferTag, UserSkill, home_position)
from mutualaid.places.models import Building, Unit


def skills_of(user):
    """``{"tags": [...], "radius_m": n}``: the user's skills in taxonomy order."""
    rows = db.session.scalars(sa.select(UserSkill).where(UserSkill.user_id == user.id)).all()
    order = list(taxonomy.TAXONOMY)
    return {"tags": sorted((row.tag for row in rows), key=order.index),
            "radius_m": rows[0].radius_m if rows else DEFAULT_RADIUS_M}


def set_skills(user, tags, radius_m=None):
    """Replace the user's skills (any number, none clears them); ``radius_m`` defaults to the
    current one. Raises ValidationFailed for unknown tags."""
    unknown = [code for code in tags if code not in taxonomy.TAXONOMY]
    if unknown:
        message = _("Unknown tags: %(tags)s", tags=", ".join(unknown))
        raise ValidationFailed(message, fields={"tags": [message]})
    radius_m = radius_m or skills_of(user)["radius_m"]
    lat, lon = home_position(db.session, user.id)
    db.session.execute(sa.delete(UserSkill).where(UserSkill.user_id == user.id))
    for tag in dict.fromkeys(tags):
        db.session.add(UserSkill(user_id=user.id, tag=tag, radius_m=radius_m, lat=lat, lon=lon))
    db.session.flush()
    return skills_of(user)


def availability_masks(availability):
    """``{"days": [...], "parts": [...]}`` → (days mask, parts mask); None means any time."""
    if availability is None:
        return ALL_DAYS, ALL_PARTS
    days = sum(1 << DAYS.index(day) for day in set(availability["days"]))
    parts = sum(1 << list(PARTS).index(part) for part in set(availability["parts"]))
    return days, parts


def create_offer(owner, title, tags, description="", radius_m=DEFAULT_RADIUS_M,
                 availability=None):
    """A verified user offers a standing service; raises Forbidden/ValidationFailed."""
    require_verified(owner)
    days, parts = availability_masks(availability)
    lat, lon = home_position(db.session, owner.id)
    offer = Offer(owner_id=owner.id, title=title, description=description, radius_m=radius_m,
                  available_days=days, available_parts=parts, lat=lat, lon=lon,
                  tag_rows=[OfferTag(tag=tag) for tag in taxonomy.validate_tags(tags)])
    db.session.add(offer)
    db.session.flush()
    return offer


def offer_for(viewer, offer_id):
    """An offer as ``viewer`` may see it: withdrawn offers only by their owner, others only
    in the viewer's communities; else NotFound."""
    offer = get_or_404(Offer, offer_id)
    if offer.owner_id == viewer.id:
        return offer
    visible = visible_community_ids(viewer)
    if not offer.active or (visible is not None and community_of(offer.owner) not in visible):
        raise NotFound(_("Not found."))
    return offer


def neighbours_in(community_ids):
    """A select of the ids of verified, active users living in those communities (None:
    anywhere)."""
    select = sa.select(User.id).where(User.verified_at.is_not(None), User.active.is_(True))
    if community_ids is None:
        return select
    return (select.join(Unit, User.unit_id == Unit.id).join(Building)
            .where(Building.community_id.in_(community_ids)))


def require_owner(actor, offer):
    """Raise Forbidden unless ``actor`` owns ``offer``."""
    if offer.owner_id != actor.id:
        raise Forbidden(_("Only the owner may change this offer."))


def update_offer(actor, offer, changes):
    """The owner edits an offer (title, description, tags, radius_m, availability, active)."""
    require_owner(actor, offer)
    if changes.get("active"):
        require_verified(actor)
    if "tags" in changes:
        wanted = taxonomy.validate_tags(changes["tags"])
        offer.tag_rows = [row for row in offer.tag_rows if row.tag in wanted]
        have = {row.tag for row in offer.tag_rows}
        offer.tag_rows += [OfferTag(tag=tag) for tag in wanted if tag not in have]
    if "availability" in changes:
        offer.available_days, offer.available_parts = availability_masks(changes["availability"])
    for name in ("title", "description", "radius_m", "active"):
        if name in changes:
            setattr(offer, name, changes[name])
    db.session.flush()
    return offer


def withdraw_offer(actor, offer):
    """The owner withdraws an offer: it stays on record, inactive, and matches no more."""
    require_owner(actor, offer)
    offer.active = False
    db.session.flush()
    return offer


def forget_skills_and_offers(user):
    """A closing account: its skills go, its offers stay on record, inactive and wordless."""
    db.session.execute(sa.delete(UserSkill).where(UserSkill.user_id == user.id))
    for offer in db.session.scalars(sa.select(Offer).where(Offer.owner_id == user.id)):
        offer.active, offer.description = False, ""
    db.session.flush()


def offers_select(viewer, tag=None, mine=False):
    """The select behind ``GET /offers``: the viewer's own offers (all), or the active offers
    of verified, active neighbours of the viewer's communities; ``tag`` also matches child
    tags. Newest first."""
    select = sa.select(Offer).options(so.selectinload(Offer.owner))
    if mine:
        select = select.where(Offer.owner_id == viewer.id)
    else:
        owners = neighbours_in(visible_community_ids(viewer))
        select = select.where(Offer.active.is_(True), Offer.owner_id.in_(owners))
    if tag:
        tagged = sa.select(OfferTag.offer_id).where(
            sa.or_(OfferTag.tag == tag, OfferTag.tag.startswith(tag + ".", autoescape=True)))
        select = select.where(Offer.id.in_(tagged))
    return select.order_by(Offer.created_at.desc(), Offer.id.desc())
