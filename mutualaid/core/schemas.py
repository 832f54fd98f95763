"""Marshmallow field types shared by every feature's schemas."""
from marshmallow import ValidationError, fields, validate

from mutualaid.core.routing import MAX_ID


def Id(**kwargs):
    """A required database id: a strict positive integer that fits in 64 bits."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


# What ``str.strip`` removes that JSON Schema's ``\s`` does not cover too.
NOT_ONLY_SPACE = r"[^\s\x1c-\x1f\x85]"


def Text(max_length, min_length=1, **kwargs):
    """A string with length limits, surrounding white space stripped first.

    When it may not be empty the OpenAPI document says so (a pattern: something other than
    white space), so that clients and the fuzzer know "\\n" is not a name.
    """
    if min_length >= 1:
        kwargs["metadata"] = {"pattern": NOT_ONLY_SPACE} | kwargs.get("metadata", {})
    return StrippedString(validate=validate.Length(min_length, max_length), **kwargs)


class StrippedString(fields.String):
    """A string whose surrounding white space is removed before validation."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 timestamp; one without an offset is read as China Standard Time."""

    def __init__(self, **kwargs):
        from datetime import timedelta, timezone

        super().__init__(default_timezone=timezone(timedelta(hours=8)), **kwargs)


class Flag(fields.Boolean):
    """A JSON boolean only: 1, "yes" and "true" are refused (1 == True in Python)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value
