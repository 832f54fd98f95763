"""The street's micro-service catalogue: services, their sessions, and bookings of seats."""
