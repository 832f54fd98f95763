"""Appeal photos: up to 3, added by the appellant, seen by the appellant and staff only."""
import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _

from mutualaid.appeals.access import Scope
from mutualaid.appeals.models import MAX_PHOTOS, AppealPhoto
from mutualaid.core.errors import Conflict, Forbidden, NotFound
from mutualaid.core.extensions import db
from mutualaid.core.uploads import store_image, upload_dir


def require_may_add(actor, appeal):
    """Raise Forbidden unless ``actor`` filed the appeal (for themselves or someone)."""
    if actor.id != appeal.appellant_id and actor.id != appeal.created_by_id:
        raise Forbidden(_("Only the appellant may add photos."))


def add_photo(actor, appeal, data):
    """Store a photo of ``appeal`` sent by its appellant. Raises Forbidden (someone else),
    Conflict ``too_many_photos`` (a fourth), ValidationFailed ``invalid_image``."""
    require_may_add(actor, appeal)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AppealPhoto)
                              .where(AppealPhoto.appeal_id == appeal.id))
    if count >= MAX_PHOTOS:
        raise Conflict(_("An appeal has at most 3 photos."), code="too_many_photos")
    stored = store_image(data, "appeals")
    photo = AppealPhoto(appeal_id=appeal.id, path=stored.path, content_type=stored.content_type,
                        size=stored.size)
    db.session.add(photo)
    db.session.flush()
    db.session.expire(appeal, ["photos"])
    return photo


def photo_for(user, photo_id):
    """A photo for its appeal's appellant and staff; raises NotFound for anyone else."""
    from mutualaid.appeals.models import Appeal

    photo = db.session.get(AppealPhoto, photo_id)
    appeal = db.session.get(Appeal, photo.appeal_id) if photo is not None else None
    if appeal is None or not (appeal.appellant_id == user.id or Scope(user).handles(appeal)):
        raise NotFound(_("Not found."))
    return photo


def photo_response(photo):
    """The photo for a reader already allowed: read whole (photos are small, and nothing is
    left open), never cached by shared caches, never sniffed into another type."""
    suffix = photo.path.rsplit(".", 1)[-1]
    response = Response((upload_dir() / photo.path).read_bytes(), mimetype=photo.content_type)
    response.headers["Content-Disposition"] = (
        f'inline; filename="appeal-photo-{photo.id}.{suffix}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
