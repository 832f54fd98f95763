"""URL converters shared by pages and the API."""
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**63 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a positive integer that fits the database; anything else is a 404."""

    regex = r"[1-9][0-9]{0,18}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value):
        return str(int(value))
