"""Catalogue rules: staff publish services and sessions, verified residents book seats.

Functions flush but never commit; they raise domain errors from ``mutualaid.core.errors``.
Seats are taken by one conditional UPDATE of the session's ``booked`` counter, so capacity
holds under concurrent bookings on SQLite and PostgreSQL alike (the CHECK is the backstop).
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from mutualaid.accounts.domain import require_staff_of, require_verified, staff_community_ids
from mutualaid.catalogue import notices
from mutualaid.catalogue.models import Booking, Service, ServiceSession
from mutualaid.core.database import get_or_404, utcnow
from mutualaid.core.errors import Conflict, Forbidden, ValidationFailed
from mutualaid.core.extensions import db
from mutualaid.places.models import Community
from mutualaid.realtime.outbox import announce
from mutualaid.realtime.rooms import room

UPCOMING_LIMIT = 10


def create_service(actor, community_id, title, provider, category, audience="everyone",
                   description=""):
    """Staff publish a service in one of their communities; raises Forbidden/ValidationFailed,
    NotFound for a community that does not exist (admins pass the staff check for any id)."""
    community_id = community_id or _only_community(actor)
    require_staff_of(actor, community_id)
    get_or_404(Community, community_id)
    service = Service(community_id=community_id, title=title, provider=provider,
                      category=category, audience=audience, description=description)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(actor, service, changes):
    """Staff of the service's community edit it. ``active=False`` withdraws it: no longer
    listed to residents nor bookable; the seats already booked stay booked (staff may cancel
    them one by one). ``active=True`` offers it again. Raises Forbidden."""
    require_staff_of(actor, service.community_id)
    for name, value in changes.items():
        setattr(service, name, value)
    db.session.flush()
    return service


def _only_community(actor):
    """The one community a staff member serves; ValidationFailed when there are several."""
    ids = staff_community_ids(actor)
    if len(ids) != 1 or actor.role == "admin":
        message = _("Choose the community.")
        raise ValidationFailed(message, fields={"community_id": [message]})
    return next(iter(ids))


def add_session(actor, service, starts_at, duration_min, capacity, place):
    """Staff add a sitting to a service; raises Forbidden, or ValidationFailed for a past start."""
    require_staff_of(actor, service.community_id)
    if starts_at <= utcnow():
        message = _("A session must start in the future.")
        raise ValidationFailed(message, fields={"starts_at": [message]})
    session = ServiceSession(service_id=service.id, starts_at=starts_at,
                             duration_min=duration_min, capacity=capacity, place=place,
                             booked=0, version=1)
    db.session.add(session)
    db.session.flush()
    _announce(session)
    notices.session_published(session)
    return session


def services_for(actor, category=None, audience=None, community_id=None,
                 include_withdrawn=False):
    """A select of the active services ``actor`` may browse (``include_withdrawn``: the
    withdrawn ones too, for staff), filtered, by category and title."""
    select = sa.select(Service)
    if not include_withdrawn:
        select = select.where(Service.active.is_(True))
    if community_id is not None:
        select = select.where(Service.community_id == community_id)
    elif actor.is_staff and actor.role != "admin":
        select = select.where(Service.community_id.in_(staff_community_ids(actor)))
    elif actor.unit is not None:
        select = select.where(Service.community_id == actor.unit.building.community_id)
    if category:
        select = select.where(Service.category == category)
    if audience:
        select = select.where(Service.audience == audience)
    return select.order_by(Service.category, Service.title, Service.id)


def upcoming_sessions(service, limit=UPCOMING_LIMIT):
    """The sessions of a service that have not started yet, soonest first."""
    return db.session.scalars(
        sa.select(ServiceSession).where(ServiceSession.service_id == service.id,
                                        ServiceSession.starts_at > utcnow())
        .order_by(ServiceSession.starts_at, ServiceSession.id).limit(limit)
    ).all()


def sessions_between(community_id, start, end):
    """Sessions of a community's active services starting in [start, end), by time."""
    return db.session.scalars(
        sa.select(ServiceSession).join(Service)
        .where(Service.community_id == community_id, Service.active.is_(True),
               ServiceSession.starts_at >= start, ServiceSession.starts_at < end)
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    ).all()


def book_session(actor, session):
    """Take one seat for ``actor``; raises Forbidden, or Conflict ``full``/``already_booked``/
    ``session_started``."""
    _check_may_book(actor, session)
    if _active_booking(actor.id, session.id) is not None:
        raise Conflict(_("You have already booked this session."), code="already_booked")
    try:
        with db.session.begin_nested():
            _take_seat(session)
            booking = Booking(session_id=session.id, user_id=actor.id, created_at=utcnow())
            db.session.add(booking)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("You have already booked this session."),
                       code="already_booked") from None
    db.session.refresh(session)
    _announce(session)
    return booking


def _check_may_book(actor, session):
    """Only verified residents of the service's community book sessions still to come."""
    require_verified(actor)
    if actor.unit.building.community_id != session.service.community_id:
        raise Forbidden(_("This service is for residents of another community."))
    if not session.service.active:
        raise Conflict(_("This service is no longer offered."), code="service_inactive")
    if session.starts_at <= utcnow():
        raise Conflict(_("This session has already started."), code="session_started")


def _take_seat(session):
    """Raise the counter only while seats are left: one statement, so races cannot overbook."""
    result = db.session.execute(
        sa.update(ServiceSession)
        .where(ServiceSession.id == session.id, ServiceSession.booked < ServiceSession.capacity)
        .values(booked=ServiceSession.booked + 1, version=ServiceSession.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_("Sorry, this session is full."), code="full")


def _active_booking(user_id, session_id):
    """The user's booking of that session that is not cancelled, or None."""
    return db.session.scalar(sa.select(Booking).where(
        Booking.user_id == user_id, Booking.session_id == session_id,
        Booking.cancelled_at.is_(None)))


def cancel_booking(actor, booking):
    """The booker (before the start) or staff cancel a booking, freeing the seat; raises
    Forbidden, or Conflict ``already_cancelled``/``session_started``."""
    session = booking.session
    if actor.id != booking.user_id:
        require_staff_of(actor, session.service.community_id)
    elif session.starts_at <= utcnow():
        raise Conflict(_("This session has already started."), code="session_started")
    cancelled = db.session.execute(
        sa.update(Booking).where(Booking.id == booking.id, Booking.cancelled_at.is_(None))
        .values(cancelled_at=utcnow()).execution_options(synchronize_session=False)
    )
    if cancelled.rowcount != 1:
        raise Conflict(_("This booking is already cancelled."), code="already_cancelled")
    db.session.execute(
        sa.update(ServiceSession).where(ServiceSession.id == session.id)
        .values(booked=ServiceSession.booked - 1, version=ServiceSession.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(booking)
    db.session.refresh(session)
    _announce(session)


def give_up_bookings(user):
    """A closing account: its seats in sessions still to come go back to others."""
    for booking in db.session.scalars(bookings_of(user)).all():
        cancel_booking(user, booking)


def session_bookings(actor, session):
    """Staff: the active bookings of a session, in booking order; raises Forbidden."""
    require_staff_of(actor, session.service.community_id)
    return db.session.scalars(
        sa.select(Booking).where(Booking.session_id == session.id,
                                 Booking.cancelled_at.is_(None))
        .order_by(Booking.created_at, Booking.id)
    ).all()


def mark_attendance(actor, booking, attended):
    """Staff record whether the booker came; raises Forbidden or Conflict for a cancelled one."""
    require_staff_of(actor, booking.session.service.community_id)
    if booking.cancelled_at is not None:
        raise Conflict(_("This booking is cancelled."), code="already_cancelled")
    booking.attended = attended
    db.session.flush()
    return booking


def bookings_of(user, upcoming=True):
    """A select of a user's active bookings (by session start), only future ones by default."""
    select = (sa.select(Booking).join(ServiceSession)
              .where(Booking.user_id == user.id, Booking.cancelled_at.is_(None)))
    if upcoming:
        select = select.where(ServiceSession.starts_at > utcnow())
    return select.order_by(ServiceSession.starts_at, Booking.id)


def _announce(session):
    """Tell the community the session's seat count (``session.updated``)."""
    from mutualaid.catalogue.schemas import session_schema

    announce("session.updated", session_schema.dump(session),
             [room("community", session.service.community_id)])
