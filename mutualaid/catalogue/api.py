"""/api/v1 routes of the micro-service catalogue."""
import sqlalchemy as sa
from flask_login import current_user

from mutualaid.api import endpoint, page_of
from mutualaid.catalogue import domain
from mutualaid.catalogue.models import Booking, Service, ServiceSession
from mutualaid.catalogue.schemas import (
    AttendanceSchema, BookingListSchema, BookingSchema, MyBookingsQuerySchema,
    ServiceChangesSchema, ServiceQuerySchema, ServiceSchema, SessionSchema, booking_schema,
    service_schema, session_schema,
)
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db


def export_bookings(user):
    """The user's bookings, for their data export (``GET /me/export``)."""
    return [booking_schema.dump(booking) for booking in db.session.scalars(
        sa.select(Booking).where(Booking.user_id == user.id).order_by(Booking.id))]


def dump_service(service):
    """A service with its upcoming sessions and their seats left."""
    service.sessions = domain.upcoming_sessions(service)
    return service_schema.dump(service)


@endpoint("/services", "POST", body=ServiceSchema(), response=ServiceSchema, status=201,
          auth="staff")
def create_service(data):
    """Staff: publish a service."""
    service = domain.create_service(current_user, **data)
    db.session.commit()
    return dump_service(service), 201


@endpoint("/services", query=ServiceQuerySchema(), response=ServiceSchema, paged=True)
def list_services(args):
    """Services by category (``?category=&audience=&community_id=``) with upcoming sessions."""
    select = domain.services_for(current_user, args.get("category"), args.get("audience"),
                                 args.get("community_id"))
    return page_of(select, dump_service, args)


@endpoint("/services/<id:service_id>", response=ServiceSchema)
def get_service(service_id):
    """One service with its upcoming sessions."""
    return dump_service(get_or_404(Service, service_id))


@endpoint("/services/<id:service_id>", "PATCH", body=ServiceChangesSchema(),
          response=ServiceSchema, auth="staff")
def update_service(service_id, data):
    """Staff: edit a service, withdraw it (``active: false``) or offer it again."""
    service = domain.update_service(current_user, get_or_404(Service, service_id), data)
    db.session.commit()
    return dump_service(service)


@endpoint("/services/<id:service_id>/sessions", "POST", body=SessionSchema(),
          response=SessionSchema, status=201, auth="staff")
def add_session(service_id, data):
    """Staff: add a session (start, duration, capacity, place) to a service."""
    session = domain.add_session(current_user, get_or_404(Service, service_id), **data)
    db.session.commit()
    return session_schema.dump(session), 201


@endpoint("/sessions/<id:session_id>/bookings", "POST", response=BookingSchema, status=201,
          auth="verified")
def book(session_id):
    """Book a seat: 201, or 409 ``full`` / ``already_booked`` / ``session_started``."""
    booking = domain.book_session(current_user, get_or_404(ServiceSession, session_id))
    db.session.commit()
    return booking_schema.dump(booking), 201


@endpoint("/sessions/<id:session_id>/bookings", response=BookingListSchema, auth="staff")
def list_bookings(session_id):
    """Staff: who booked a session."""
    bookings = domain.session_bookings(current_user, get_or_404(ServiceSession, session_id))
    return {"items": [booking_schema.dump(booking) for booking in bookings]}


@endpoint("/bookings/<id:booking_id>", "DELETE", status=204)
def cancel_booking(booking_id):
    """Cancel a booking (the booker, or staff): 204."""
    booking = get_or_404(Booking, booking_id)
    domain.cancel_booking(current_user, booking)
    db.session.commit()
    return "", 204


@endpoint("/bookings/<id:booking_id>/attendance", "PUT", body=AttendanceSchema(),
          response=BookingSchema, auth="staff")
def mark_attendance(booking_id, data):
    """Staff: record whether the booker came."""
    booking = domain.mark_attendance(current_user, get_or_404(Booking, booking_id),
                                     data["attended"])
    db.session.commit()
    return booking_schema.dump(booking)


@endpoint("/me/bookings", query=MyBookingsQuerySchema(), response=BookingSchema, paged=True)
def my_bookings(args):
    """My active bookings (``?upcoming=false`` includes past ones)."""
    return page_of(domain.bookings_of(current_user, args["upcoming"]), booking_schema.dump, args)
