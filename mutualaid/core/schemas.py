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

from mutualaid.core.routing import MAX_ID


def Id(**kwargs):
    """A required database id: a strict positive integer that fits in 64 bits."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


# What ``str.strip`` removes that JSON Schema's ``\s`` does not cover too.
NOT_ONLY_SPACE = r"[^\s\x1c-\x1f\x85]"


# Lone surrogates; C0 and C1 control characters but tab, newline and carriage return; the
# bidi embeddings, overrides, isolates and marks (they reorder what a screen shows). Kept as
# regular-expression class text: the OpenAPI document states the same rule as a pattern.
# (Lone surrogates are left out of the pattern: many regular-expression engines cannot name
# them, and a valid JSON string cannot hold one anyway.)
UNSAFE_CLASS = (r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069")
LINES_CLASS = r"\t\n\r\u2028\u2029"
UNSAFE_CHARACTERS = re.compile(f"[\\ud800-\\udfff{UNSAFE_CLASS}]")
LINE_BREAKS = re.compile(f"[{LINES_CLASS}]")
# Texts at least this long are written in a text area (descriptions, notes): lines allowed.
MULTILINE_FROM = 200
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


def Text(max_length, min_length=1, multiline=None, **kwargs):
    """A string with length limits, surrounding white space stripped first; tab and line
    breaks only in long texts (``multiline``, by default from ``MULTILINE_FROM`` characters).

    When it may not be empty the OpenAPI document says so (a pattern: something other than
    white space), so that clients and the fuzzer know "\\n" is not a name.
    """
    if multiline is None:
        multiline = max_length >= MULTILINE_FROM
    return StrippedString(validate=validate.Length(min_length, max_length), multiline=multiline,
                          not_blank=min_length >= 1, **kwargs)


def text_pattern(multiline, not_blank):
    """The rule of ``CleanString`` as a JSON Schema pattern (for clients and the fuzzer)."""
    refused = UNSAFE_CLASS if multiline else UNSAFE_CLASS + LINES_CLASS
    if not not_blank:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^{refused}{NOT_ONLY_SPACE[2:-1]}][^{refused}]*$"


class CleanString(fields.String):
    """A string without control characters, lone surrogates or bidi controls (400 otherwise);
    tab and line breaks only when ``multiline``."""

    def __init__(self, *args, multiline=False, not_blank=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline
        # A field with a pattern of its own (digits, a username) says more than this one.
        if not any(isinstance(v, validate.Regexp) for v in self.validators) \
                and "pattern" not in self.metadata:
            self.metadata = {**self.metadata, "pattern": text_pattern(multiline, not_blank)}

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
