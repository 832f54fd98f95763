"""Language choice: the signed-in user's, else the ``lang`` cookie, else the browser's
``Accept-Language`` (zh or en), else Chinese."""
from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale():
    """Flask-Babel locale selector."""
    choices = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and getattr(user, "locale", None) in choices:
        return user.locale
    lang = request.cookies.get("lang")
    if lang in choices:
        return lang
    # The browser's languages next ("zh-TW, en;q=0.8" → zh_CN, the Chinese we have).
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"])
    if best is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return "en" if best == "en" else "zh_CN"


def html_lang(locale):
    """The BCP 47 tag for ``<html lang>``: zh_CN → zh-CN."""
    return str(locale).replace("_", "-")
