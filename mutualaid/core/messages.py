"""marshmallow's own error messages, marked so that the catalogues translate them."""
from flask_babel import lazy_gettext as N_

MARSHMALLOW_MESSAGES = [
    N_("Missing data for required field."), N_("Unknown field."), N_("Field may not be null."),
    N_("Not a valid string."), N_("Not a valid integer."), N_("Not a valid number."),
    N_("Not a valid boolean."), N_("Not a valid list."), N_("Not a valid datetime."),
    N_("Not a valid mapping type."), N_("Invalid input type."), N_("Invalid value."),
    N_("Must be one of: owner, tenant, family."), N_("Not a valid phone number."),
    N_("Use letters, digits, _ . or - only."), N_("Use letters, digits and - only."),
    N_("Use 4 to 6 digits."), N_("Shorter than minimum length 8."),
    N_("Length must be between 3 and 32."), N_("Length must be between 1 and 50."),
    N_("Length must be between 1 and 100."), N_("Length must be between 8 and 128."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("An area must be more than 0."), N_("Give vulnerable or vetted."),
    # the shared input rules (mutualaid/core/schemas.py, accounts/schemas.py, kiosk/schemas.py)
    N_("Remove control or invisible formatting characters."), N_("Use one line, without tabs."),
    N_("This date is out of range."), N_("This password is too common. Choose another one."),
]
