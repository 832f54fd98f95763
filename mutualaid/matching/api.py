"""/api/v1 routes for skill tags, a user's skills and offers."""
from flask_login import current_user

from mutualaid.api import endpoint, page_of
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db
from mutualaid.matching import domain, tags
from mutualaid.matching.models import Offer
from mutualaid.matching.schemas import (
    OfferChangesSchema, OfferQuerySchema, OfferSchema, SkillsSchema, SkillTagListSchema,
    offer_schema, skills_schema,
)


def export_skills(user):
    """The user's skills, for their data export (``GET /me/export``)."""
    return skills_schema.dump(domain.skills_of(user))


def export_offers(user):
    """The user's offers, for their data export."""
    return [offer_schema.dump(offer)
            for offer in db.session.scalars(domain.offers_select(user, mine=True))]


@endpoint("/skill-tags", response=SkillTagListSchema, auth="anyone")
def list_skill_tags():
    """The skill-tag taxonomy, in both languages."""
    return {"items": tags.taxonomy()}


@endpoint("/me/skills", response=SkillsSchema)
def my_skills():
    """The signed-in user's skills and how far they will go."""
    return skills_schema.dump(domain.skills_of(current_user))


@endpoint("/me/skills", "PUT", body=SkillsSchema(), response=SkillsSchema)
def set_my_skills(data):
    """Replace the signed-in user's skills (and radius)."""
    skills = domain.set_skills(current_user, data["tags"], data["radius_m"])
    db.session.commit()
    return skills_schema.dump(skills)


@endpoint("/offers", "POST", body=OfferSchema(), response=OfferSchema, status=201,
          auth="verified")
def create_offer(data):
    """Offer a standing service to neighbours."""
    offer = domain.create_offer(current_user, **data)
    db.session.commit()
    return offer_schema.dump(offer), 201


@endpoint("/offers", query=OfferQuerySchema(), response=OfferSchema, paged=True)
def list_offers(args):
    """Neighbours' active offers (``?tag=``), or with ``?mine=true`` my own."""
    select = domain.offers_select(current_user, args["tag"], args["mine"])
    return page_of(select, offer_schema.dump, args)


@endpoint("/offers/<id:offer_id>", response=OfferSchema)
def get_offer(offer_id):
    """One offer."""
    return offer_schema.dump(domain.offer_for(current_user, offer_id))


@endpoint("/offers/<id:offer_id>", "PATCH", body=OfferChangesSchema(), response=OfferSchema)
def update_offer(offer_id, data):
    """The owner edits an offer."""
    offer = domain.update_offer(current_user, get_or_404(Offer, offer_id), data)
    db.session.commit()
    return offer_schema.dump(offer)


@endpoint("/offers/<id:offer_id>", "DELETE", status=204)
def withdraw_offer(offer_id):
    """The owner withdraws an offer (kept on record, no longer matched)."""
    domain.withdraw_offer(current_user, get_or_404(Offer, offer_id))
    db.session.commit()
    return "", 204
