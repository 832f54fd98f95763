"""Account input and output shapes. Output field sets are explicit per audience."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mutualaid.accounts.models import RELATIONS
from mutualaid.accounts.passwords import is_common_password
from mutualaid.core.schemas import CleanString, Flag, Id, Text

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]+$", error="Use letters, digits, _ . or - only.")
PHONE = validate.Regexp(r"^\+?[0-9][0-9 -]{4,18}$", error="Not a valid phone number.")


def not_common(password):
    """Refuse a password from the list of the most common ones."""
    if is_common_password(password):
        raise ValidationError("This password is too common. Choose another one.")


def NewPassword(**kwargs):
    """A password someone chooses (registration, change, reset): 8 to 128 characters, not
    one of the most common passwords; that it is not the username is checked by
    ``accounts.domain.check_new_password``, which knows whose it is."""
    return CleanString(required=True, load_only=True,
                       validate=[validate.Length(8, 128), not_common], **kwargs)


class RegisterSchema(Schema):
    username = CleanString(required=True, validate=[validate.Length(3, 32), USERNAME])
    password = NewPassword()
    display_name = Text(50, required=True)
    phone = CleanString(load_default=None, allow_none=True, validate=PHONE)


class CredentialsSchema(Schema):
    username = CleanString(required=True, validate=validate.Length(1, 32))
    password = CleanString(required=True, load_only=True, validate=validate.Length(1, 128))


class PasswordChangeSchema(Schema):
    current_password = CleanString(required=True, validate=validate.Length(1, 128))
    new_password = NewPassword()


class PinSchema(Schema):
    pin = CleanString(required=True, load_only=True,
                      validate=validate.Regexp(r"^\d{4,6}$", error="Use 4 to 6 digits."))


class VerifySchema(Schema):
    unit_id = Id(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))


class FlagsSchema(Schema):
    vulnerable = Flag()
    vetted = Flag()

    @validates_schema
    def _something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("Give vulnerable or vetted.", "_schema")


class UserIdSchema(Schema):
    user_id = Id(required=True)


class UserQuerySchema(Schema):
    verified = fields.Boolean(load_default=None, allow_none=True)
    q = CleanString(load_default="", validate=validate.Length(0, 50))


class UnitRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    building_id = fields.Integer()
    community_id = fields.Function(lambda unit: unit.building.community_id)


class PublicUserSchema(Schema):
    """What any signed-in user may see of another."""

    id = fields.Integer()
    display_name = fields.String()


class MeSchema(Schema):
    """A user's view of themselves (``GET /me``)."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    phone = fields.String(allow_none=True)
    role = fields.String()
    verified = fields.Boolean()
    vulnerable = fields.Boolean()
    vetted = fields.Boolean()
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    relation = fields.String(allow_none=True)
    has_pin = fields.Function(lambda user: user.pin_hash is not None)
    share_phone = fields.Boolean()
    credits_minutes = fields.Integer(dump_only=True)  # filled by the orders feature
    unread_notifications = fields.Integer(dump_only=True)  # by notifications
    unread_messages = fields.Integer(dump_only=True)  # by conversation


class StaffUserSchema(MeSchema):
    """What staff see of a resident in their community."""

    verified_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class TokenSchema(Schema):
    token = fields.String()
    user = fields.Nested(MeSchema)


public_user_schema = PublicUserSchema()
me_schema = MeSchema()
staff_user_schema = StaffUserSchema()


# Account self-service: profile, password reset by a code from the hut, closing the account.
class ProfileSchema(Schema):
    display_name = Text(50)
    phone = CleanString(allow_none=True, validate=PHONE)
    share_phone = Flag()
    locale = fields.String(validate=validate.OneOf(("zh", "en")))

    @validates_schema
    def _something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class ResetSchema(Schema):
    """A forgotten password: the username, the code staff gave in person, a new password."""

    username = CleanString(required=True, validate=validate.Length(1, 32))
    code = CleanString(required=True, validate=validate.Length(1, 20))
    new_password = NewPassword()


class PasswordConfirmSchema(Schema):
    password = CleanString(required=True, load_only=True, validate=validate.Length(1, 128))


class ResetCodeSchema(Schema):
    code = fields.String()
    expires_in = fields.Integer()


