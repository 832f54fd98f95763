"""Uploaded files (appeal photos, vote documents): checked by content, stored outside static/.

Images are re-encoded with Pillow: at most ``MAX_SIDE`` pixels a side, turned upright and
written without their EXIF (a phone's photo carries the GPS position of the resident's home).
PDFs are kept as sent once their signature is checked. Files live under ``UPLOAD_DIR`` with
random names; the feature that owns a file decides who may read it and serves it with
``send_upload``.
"""
import io
import secrets
from pathlib import Path
from typing import NamedTuple

from flask import current_app, request, send_file
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.exceptions import RequestEntityTooLarge

from mutualaid.core.errors import ValidationFailed

MAX_SIDE = 1600
IMAGE_BYTES = 5 * 1024 * 1024
DOCUMENT_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded


class StoredFile(NamedTuple):
    """Where a file was stored (relative to UPLOAD_DIR), its type and size in bytes."""

    path: str
    content_type: str
    size: int


def allow_upload(max_bytes):
    """Let this request's body be up to ``max_bytes`` (plus the multipart envelope); the app's
    limit for everything else stays small. Call before reading ``request.files``."""
    request.max_content_length = max_bytes + 64 * 1024


def read_upload(field="file", max_bytes=IMAGE_BYTES):
    """The bytes of the uploaded ``field``; raises ValidationFailed (missing) or 413."""
    upload = request.files.get(field)
    if upload is None or not upload.filename and not upload.content_length:
        message = _("Choose a file to upload.")
        raise ValidationFailed(message, fields={field: [message]})
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RequestEntityTooLarge(_("The file is too large."))
    if not data:
        message = _("The file is empty.")
        raise ValidationFailed(message, fields={field: [message]})
    return data


def store_image(data, kind):
    """Re-encode an image (JPEG, PNG or WebP by content) and store it under ``kind``.

    Raises ValidationFailed ``invalid_image`` for anything else.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                raise UnidentifiedImageError(image.format)
            image.load()
            clean = _upright_and_small(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        message = _("This is not a JPEG, PNG or WebP image.")
        raise ValidationFailed(message, code="invalid_image", fields={"file": [message]}) from None
    buffer = io.BytesIO()
    if clean.mode in ("RGBA", "LA", "P"):
        clean.convert("RGBA").save(buffer, "PNG", optimize=True)
        return _write(buffer.getvalue(), kind, ".png", "image/png")
    clean.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    return _write(buffer.getvalue(), kind, ".jpg", "image/jpeg")


def _upright_and_small(image):
    """A copy turned as the camera meant it, at most MAX_SIDE a side, with no metadata."""
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P" and upright.getpalette():
        clean.putpalette(upright.getpalette())
    return clean


def store_document(data, kind):
    """Store a PDF as sent, or an image re-encoded; raises ValidationFailed
    ``invalid_document`` for anything else."""
    if data.startswith(b"%PDF-"):
        return _write(data, kind, ".pdf", "application/pdf")
    try:
        return store_image(data, kind)
    except ValidationFailed:
        message = _("Upload a PDF, or a JPEG, PNG or WebP image.")
        raise ValidationFailed(message, code="invalid_document",
                               fields={"file": [message]}) from None


def _write(data, kind, suffix, content_type):
    """Write ``data`` under UPLOAD_DIR/kind with a random name."""
    folder = upload_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + suffix
    (folder / name).write_bytes(data)
    return StoredFile(f"{kind}/{name}", content_type, len(data))


def upload_dir():
    """The folder uploads are kept in (``UPLOAD_DIR``)."""
    return Path(current_app.config["UPLOAD_DIR"])


def delete_upload(path):
    """Remove a stored file (missing is fine)."""
    (upload_dir() / path).unlink(missing_ok=True)


def send_upload(stored_path, content_type, download_name):
    """Answer a stored file to a reader the caller has already allowed: never cached by
    shared caches, never sniffed into another type."""
    response = send_file(upload_dir() / stored_path, mimetype=content_type,
                         download_name=download_name, as_attachment=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
