"""Factories for the catalogue: a service and a session, flushed."""
from datetime import timedelta

from mutualaid.catalogue.models import Service, ServiceSession
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from tests.factories import make_community


def make_service(community=None, title="老人理发 Haircuts for the elderly", category="care",
                 audience="elderly", active=True):
    """A service in ``community`` (a new one unless given)."""
    community = community or make_community()
    service = Service(community_id=community.id, title=title, provider="Street centre",
                      category=category, audience=audience, description="", active=active)
    db.session.add(service)
    db.session.flush()
    return service


def make_session(service=None, capacity=2, starts_in=timedelta(days=1), place="Share hut"):
    """A session of ``service`` starting ``starts_in`` from now."""
    service = service or make_service()
    session = ServiceSession(service_id=service.id, starts_at=utcnow() + starts_in,
                             duration_min=30, capacity=capacity, booked=0, place=place,
                             version=1)
    db.session.add(session)
    db.session.flush()
    return session
