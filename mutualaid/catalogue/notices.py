"""What the catalogue tells residents, through ``notifications.notify``: a new session of a
service to the residents whose audiences include the service's (精准推送), and a reminder
2 h before a booked session."""
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.catalogue.models import Booking, ServiceSession
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.notifications.domain import notify, users_in_audience

REMINDER_BEFORE = timedelta(hours=2)


def _params(session):
    service = session.service
    return {"service_id": service.id, "session_id": session.id, "title": service.title,
            "provider": service.provider, "place": session.place,
            "starts_at": session.starts_at.isoformat()}


def session_published(session):
    """The service's audience hears of its new session."""
    service = session.service
    notify(users_in_audience(service.audience, service.community_id), "service.published",
           _params(session), f"/services/{service.id}")


def booking_reminders(now=None):
    """Once per booking, remind its resident when the session starts within 2 h; returns
    notices written."""
    now = now or utcnow()
    sessions = db.session.scalars(sa.select(ServiceSession).where(
        ServiceSession.starts_at > now, ServiceSession.starts_at <= now + REMINDER_BEFORE)).all()
    written = 0
    for session in sessions:
        people = db.session.scalars(sa.select(Booking.user_id).where(
            Booking.session_id == session.id, Booking.cancelled_at.is_(None))).all()
        written += len(notify(people, "booking.reminder", _params(session),
                              f"/services/{session.service_id}?session={session.id}",
                              now=now, once=True))
    return written

