"""Every error message of the API and the pages comes out in the reader's language.

Each /api/v1 route with a body or query schema gets bad input of every kind (missing fields,
wrong types, too long, too short, unknown fields, out-of-range numbers) in Chinese and in
English; a message in the wrong language (Chinese with no Chinese in it, English with some)
fails the test and names it.
"""
import re

import pytest
from marshmallow import fields as mf

from mutualaid.api import ROUTES
from tests.factories import make_user

CJK = re.compile(r"[\u4e00-\u9fff]")
LOCALES = [("zh_CN", True), ("en", False)]


def _bad_values(field):
    """Wrong inputs for one marshmallow field."""
    values = [None, [[]], {"x": 1}, "x" * 6000, "", -1, 10**30, True, "not a date"]
    if isinstance(field, mf.List):
        values += [["x" * 200] * 200, [1]]
    return values


def _bodies(schema):
    """Bad bodies for a schema: empty, unknown keys, and each field wrong in turn."""
    bodies = [{}, {"no_such_field": 1}]
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        bodies += [{name: value} for value in _bad_values(field)]
    return bodies


def _texts(error):
    """Every message in an error answer: its message and all field messages."""
    found = [error["message"]]

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(value)

    walk(error.get("fields", {}))
    return found


def _path(rule):
    return re.sub(r"<[^>]+>", "1", rule).removeprefix("/api/v1")


@pytest.mark.parametrize(("locale", "chinese"), LOCALES)
def test_every_api_validation_message_is_in_the_readers_language(api, locale, chinese):
    admin = make_user("root", role="admin", locale=locale)
    client = api(admin)
    wrong = set()
    for rule, method, options in ROUTES:
        body, query = options["body"], options["query"]
        for payload in _bodies(body) if body is not None else []:
            response = client.call(method, _path(rule), json=payload)
            if response.status_code == 400:
                wrong |= {t for t in _texts(response.json["error"])
                          if bool(CJK.search(t)) is not chinese}
        for payload in _bodies(query) if query is not None else []:
            args = {key: str(value) for key, value in payload.items()}
            response = client.call(method, _path(rule), query_string=args)
            if response.status_code == 400:
                wrong |= {t for t in _texts(response.json["error"])
                          if bool(CJK.search(t)) is not chinese}
    assert sorted(wrong) == []


@pytest.mark.parametrize(("lang", "chinese"), [("zh_CN", True), ("en", False)])
def test_error_pages_are_in_the_readers_language(client, lang, chinese):
    client.set_cookie("lang", lang)
    for response in (client.get("/no-such-page"), client.open("/login", method="TRACE")):
        assert response.status_code in (404, 405)
        body = response.text.split('<main id="main"')[1].split("</main>")[0]
        text = re.sub(r"<[^>]+>", " ", body)
        assert bool(CJK.search(text)) is chinese, text
        assert "The requested URL" not in text and "not allowed" not in text


@pytest.mark.parametrize(("header", "chinese"), [("zh-CN,zh;q=0.9", True),
                                                 ("en-GB,en;q=0.8", False),
                                                 ("zh-TW", True), ("fr", True)])
def test_accept_language_chooses_when_nothing_else_does(client, header, chinese):
    page = client.get("/login", headers={"Accept-Language": header}).text
    assert ('<html lang="zh-CN">' in page) is chinese


@pytest.mark.parametrize(("lang", "expected"), [("zh_CN", "长度必须在 8 到 128 之间。"),
                                                ("en", "Length must be between 8 and 128.")])
def test_register_page_shows_length_messages_with_their_numbers(client, lang, expected):
    from tests.accounts.test_api import csrf_token

    client.set_cookie("lang", lang)
    page = client.post("/register", data={"username": "liang", "password": "short",
                                          "display_name": "梁", "csrf_token": csrf_token(client)})
    assert page.status_code == 400 and expected in page.text
