"""marshmallow's own error messages in the reader's language.

marshmallow writes its messages in English, some with numbers or choices filled in ("Length
must be between 8 and 128."). ``translate`` gives the catalogue's text for a fixed message and,
for a filled-in one, finds its template below and translates that with the same values, so
that every message a schema can produce reaches the reader in their language.
"""
import re

from flask_babel import gettext


def N_(text):
    """Mark ``text`` for the catalogue; it is translated where it is shown."""
    return text


MARSHMALLOW_MESSAGES = [
    N_("Missing data for required field."), N_("Unknown field."), N_("Field may not be null."),
    N_("Not a valid string."), N_("Not a valid integer."), N_("Not a valid number."),
    N_("Not a valid boolean."), N_("Not a valid list."), N_("Not a valid datetime."),
    N_("Not a valid mapping type."), N_("Invalid input type."), N_("Invalid value."),
    N_("Not a valid phone number."), N_("Not a valid utf-8 string."), N_("Number too large."),
    N_("Use letters, digits, _ . or - only."), N_("Use letters, digits and - only."),
    N_("Use 4 to 6 digits."), N_("Not a valid aware datetime."), N_("Not a valid date."),
    N_("Special numeric values (nan or infinity) are not permitted."), N_("Invalid type."),
    N_("An area must be more than 0."), N_("Give vulnerable or vetted."),
    # the shared input rules (mutualaid/core/schemas.py, accounts/schemas.py, kiosk/schemas.py)
    N_("Remove control or invisible formatting characters."), N_("Use one line, without tabs."),
    N_("This date is out of range."), N_("This password is too common. Choose another one."),
    N_("String does not match expected pattern."), N_("Invalid input."),
    N_("Not a valid URL."), N_("Not a valid email address."), N_("Not a valid tuple."),
    N_("Give at least one field to change."), N_("Give building_id or community_id."),
    N_("A kiosk or paper ballot needs unit_id."), N_("Only staff-recorded ballots take a note."),
    N_("Choose kiosk or paper."),
    N_("Not a valid area: give m² with at most two decimals, up to 100000."),
    # building projects' cost plans (mutualaid/votes/project_schemas.py)
    N_("Write an amount with two decimals, such as 358000.00."),
    N_("This amount is not plausible."), N_("Give coefficients as an object of floor: \"1.00\"."),
    N_("Floors are whole numbers, such as \"3\"."),
    N_("Write each coefficient with two decimals, such as 1.10."),
]

# Filled-in messages: the catalogue holds the template, the values come from the message.
TEMPLATES = [
    N_("Length must be between %(min)s and %(max)s."),
    N_("Shorter than minimum length %(min)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Length must be %(equal)s."),
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than %(max)s."),
    N_("Must be greater than %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than %(min)s and less than %(max)s."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be greater than %(min)s."),
    N_("Must be less than or equal to %(max)s."),
    N_("Must be less than %(max)s."),
    N_("Must be one of: %(choices)s."),
    N_("Must be equal to %(other)s."),
]


def _pattern(template):
    """A regular expression matching ``template`` with any values in its placeholders."""
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                    for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


PATTERNS = [(_pattern(template), template) for template in TEMPLATES]


def translate(message):
    """One marshmallow message in the reader's language (unknown texts come back as they are)."""
    text = str(message)
    translated = gettext(text)
    if translated != text:
        return translated
    for pattern, template in PATTERNS:
        match = pattern.match(text)
        if match:
            return gettext(template, **match.groupdict())
    return text


def translate_all(messages):
    """marshmallow's error messages (nested dicts and lists) with every text translated."""
    if isinstance(messages, dict):
        return {key: translate_all(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_all(message) for message in messages]
    return translate(messages) if isinstance(messages, str) else messages
