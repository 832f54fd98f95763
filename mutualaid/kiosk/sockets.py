"""Kiosks connect to Socket.IO with ``auth={"kiosk": token}`` and hear their building's rooms."""
from mutualaid.kiosk.domain import kiosk_for, kiosk_rooms


def authenticate_kiosk(auth):
    """``(rooms, credential)`` of the kiosk whose token is in ``auth``, or None."""
    raw = auth.get("kiosk") if isinstance(auth, dict) else None
    kiosk = kiosk_for(raw) if raw else None
    return (kiosk_rooms(kiosk), ("kiosk", kiosk.id)) if kiosk else None

