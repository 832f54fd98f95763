"""Marshmallow field types shared by every feature's schemas.

Every string a request brings goes through ``CleanString`` (``Text`` strips it too): one
rule for what text may hold, so no feature stores a NUL, a lone surrogate (which cannot be
encoded for the database, the logs or the CSV export) or a bidi override that makes a name
read as something else. Every timestamp goes through ``AwareDateTime``, which refuses those
that overflow when converted to UTC.
"""
import re
from datetime import timedelta, timezone

from marshmallow import ValidationError, fields, validate

from mutualaid.routing import MAX_ID


def Id(**kwargs):
    """A required database id: a strict positive integer that fits in 64 bits."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


# What ``str.strip`` removes that JSON Schema's ``\s`` does not cover too.
NOT_ONLY_SPACE = r"[^\s\x1c-\x1f\x85]"


# Lone surrogates; C0 and C1 control characters but tab, newline and carriage return; the
# bidi embeddings, overrides, isolates and marks (they reorder what a screen shows).
UNSAFE_CHARACTERS = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]")
# Texts at least this long are written in a text area (descriptions, notes): lines allowed.
MULTILINE_FROM = 200
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


def Text(max_length, min_length=1, multiline=None, **kwargs):
    """A string with length limits, surrounding white space stripped first; tab and line
    breaks only in long texts (``multiline``, by default from ``MULTILINE_FROM`` characters).

    When it may not be empty the OpenAPI document says so (a pattern: something other than
    white space), so that clients and the fuzzer know "\\n" is not a name.
    """
    if min_length >= 1:
        kwargs["metadata"] = {"pattern": NOT_ONLY_SPACE} | kwargs.get("metadata", {})
    if multiline is None:
        multiline = max_length >= MULTILINE_FROM
    return StrippedString(validate=validate.Length(min_length, max_length), multiline=multiline,
                          **kwargs)


class CleanString(fields.String):
    """A string without control characters, lone surrogates or bidi controls (400 otherwise);
    tab and line breaks only when ``multiline``."""

    def __init__(self, *args, multiline=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        value = self._prepare(super()._deserialize(value, attr, data, **kwargs))
        if UNSAFE_CHARACTERS.search(value):
            raise ValidationError("Remove control or invisible formatting characters.")
        if not self.multiline and LINE_BREAKS.search(value):
            raise ValidationError("Use one line, without tabs.")
        return value

    def _prepare(self, value):
        return value


class StrippedString(CleanString):
    """A clean string whose surrounding white space is removed before validation."""

    def _prepare(self, value):
        return value.strip()


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 timestamp; one without an offset is read as China Standard Time. One that
    cannot be converted to UTC (``9999-12-31T23:59:59-12:00``) is refused."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=timezone(timedelta(hours=8)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and UNSAFE_CHARACTERS.search(value):
            raise ValidationError("Not a valid datetime.")
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            year = moment.astimezone(timezone.utc).year
        except OverflowError:
            year = None
        # Far from any real date, arithmetic on it (a window's end, a session's) overflows too.
        if year is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise ValidationError("This date is out of range.")
        return moment


class Flag(fields.Boolean):
    """A JSON boolean only: 1, "yes" and "true" are refused (1 == True in Python)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value
