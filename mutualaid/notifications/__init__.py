"""Notifications: every notice is an inbox row first; Web Push and SMS then deliver it from a
persistent queue after the commit (DESIGN.md "Between people"). Other features call
``notifications.domain.notify(users, kind, params, url)`` and nothing else."""
