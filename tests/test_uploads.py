"""Uploaded files: images re-encoded without EXIF and at most 1600 px, PDFs kept, the rest refused."""
import io

import pytest
from PIL import Image
from werkzeug.exceptions import RequestEntityTooLarge

from mutualaid.core import uploads
from mutualaid.core.errors import ValidationFailed


def photo_bytes(size=(2400, 1200), fmt="JPEG", with_gps=True):
    """A photo as a phone would send it, with a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    if with_gps:
        exif[0x8825] = {1: "N", 2: (23.0, 1.0, 30.0), 3: "E", 4: (113.0, 7.0, 12.0)}
        exif[0x0110] = "Resident phone"
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


def upload(app, data, field="file", max_bytes=uploads.IMAGE_BYTES):
    """Read ``data`` as the multipart upload of a request."""
    body = {field: (io.BytesIO(data), "photo.jpg")}
    with app.test_request_context("/", method="POST", data=body,
                                  content_type="multipart/form-data"):
        uploads.allow_upload(max_bytes)
        return uploads.read_upload(field, max_bytes)


def test_photo_is_resized_and_loses_its_exif(app):
    raw = photo_bytes()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)  # the phone's GPS is there
    stored = uploads.store_image(upload(app, raw), "appeals")
    with Image.open(uploads.upload_dir() / stored.path) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
        assert not image.getexif()
        assert "exif" not in image.info
    assert stored.content_type == "image/jpeg"
    assert not str(uploads.upload_dir()).startswith(str(app.static_folder))


def test_png_with_transparency_stays_png(app):
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(buffer, "PNG")
    stored = uploads.store_image(buffer.getvalue(), "appeals")
    assert stored.content_type == "image/png" and stored.path.endswith(".png")


@pytest.mark.parametrize("data", [b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a....",
                                  b"%PDF-1.7 not an image", b"\xff\xd8\xff broken jpeg"])
def test_what_is_not_a_photo_is_refused(app, data):
    with pytest.raises(ValidationFailed) as error:
        uploads.store_image(data, "appeals")
    assert error.value.code == "invalid_image"
    assert not (uploads.upload_dir() / "appeals").exists() or not any(
        (uploads.upload_dir() / "appeals").iterdir())


def test_pdf_documents_are_kept_and_other_files_refused(app):
    stored = uploads.store_document(b"%PDF-1.4\n%%EOF\n", "votes")
    assert stored.content_type == "application/pdf"
    assert (uploads.upload_dir() / stored.path).read_bytes() == b"%PDF-1.4\n%%EOF\n"
    with pytest.raises(ValidationFailed) as error:
        uploads.store_document(b"MZ\x90\x00 an executable", "votes")
    assert error.value.code == "invalid_document"


def test_a_file_over_the_limit_is_413(app):
    with pytest.raises(RequestEntityTooLarge):
        upload(app, b"x" * 2048, max_bytes=1024)


def test_a_missing_or_empty_file_is_a_field_error(app):
    with pytest.raises(ValidationFailed) as error:
        upload(app, b"")
    assert "file" in error.value.fields


def test_served_files_are_private_and_never_sniffed(app):
    stored = uploads.store_document(b"%PDF-1.4\n%%EOF\n", "votes")
    with app.test_request_context("/"):
        response = uploads.send_upload(stored.path, stored.content_type, "plan.pdf")
        response.direct_passthrough = False
        try:
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Cache-Control"] == "private, no-store"
            assert "inline" in response.headers["Content-Disposition"]
            assert response.get_data() == b"%PDF-1.4\n%%EOF\n"
        finally:
            response.close()
