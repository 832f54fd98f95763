"""/api/v1 routes of account self-service: password, reset codes, export, closing (``PATCH
/me``, which also sets how notifications reach me, is in mutualaid/notifications/api.py)."""
from flask import g, jsonify
from flask_login import current_user, login_user, logout_user

from mutualaid.accounts import self_service
from mutualaid.accounts.models import User
from mutualaid.accounts.schemas import (
    PasswordChangeSchema, PasswordConfirmSchema, ResetCodeSchema, ResetSchema,
)
from mutualaid.api import endpoint
from mutualaid.core.database import get_or_404
from mutualaid.core.extensions import db

RESET_LIMIT = "10/minute"


@endpoint("/me/password", "PUT", body=PasswordChangeSchema(), status=204)
def change_my_password(data):
    """Change my password; my other sessions and tokens stop working."""
    user, token = current_user._get_current_object(), g.get("api_token")
    self_service.change_own_password(user, data["current_password"], data["new_password"],
                                     keep_token=token)
    db.session.commit()
    if token is None:
        login_user(user)  # this cookie session carries on with the new session version
    return "", 204


@endpoint("/users/<id:user_id>/reset-codes", "POST", response=ResetCodeSchema, status=201,
          auth="staff")
def issue_reset_code(user_id):
    """Staff: a one-time password reset code (24 h) to give the resident in person."""
    code, expires_in = self_service.issue_reset_code(current_user, get_or_404(User, user_id))
    db.session.commit()
    return {"code": code, "expires_in": expires_in}, 201


@endpoint("/auth/reset", "POST", body=ResetSchema(), status=204,
          auth="anyone", limit=RESET_LIMIT)
def reset_password(data):
    """Set a new password with the code staff gave at the share hut."""
    self_service.reset_password(data["username"], data["code"], data["new_password"])
    db.session.commit()
    return "", 204


@endpoint("/me/export", summary="Everything kept about me, as JSON")
def export_me():
    """Everything the service keeps about me, as JSON."""
    response = jsonify(self_service.export_data(current_user))
    response.headers["Content-Disposition"] = 'attachment; filename="share-hut-my-data.json"'
    return response


@endpoint("/me", "DELETE", body=PasswordConfirmSchema(), status=204)
def delete_me(data):
    """Close my account: names and phone erased, records kept without them."""
    self_service.delete_account(current_user, data["password"])
    db.session.commit()
    logout_user()
    return "", 204
