"""URL converters and redirect targets shared by pages and the API."""
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

MAX_ID = 2**63 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a positive integer that fits the database; anything else is a 404."""

    regex = r"[1-9][0-9]{0,18}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            # Not werkzeug's ValidationError: that answers 405 when another method shares the
            # path (GET and POST /buildings/<id>/units), naming a method that would not help.
            raise NotFound()
        return number

    def to_url(self, value):
        return str(int(value))


def is_local_path(target):
    """True for a path on this site that is safe to redirect to after sign-in or a language
    switch. Browsers read ``/\\evil.example`` (and ``/<tab>/evil.example``: they drop tabs and
    newlines) as ``//evil.example``, another site, so backslashes and control characters are
    refused along with ``//``."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return False
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    return not target.startswith("//")
