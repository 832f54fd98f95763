"""New passwords: at least 8 characters, not the username, not one of the most common ones
(zxcvbn's list), with a clear message in Chinese and English."""
import pytest
import sqlalchemy as sa

from mutualaid.accounts import domain
from mutualaid.accounts.models import User
from mutualaid.accounts.passwords import is_common_password
from mutualaid.core.errors import ValidationFailed
from tests.factories import PASSWORD, make_user


def register(client, password, username="liang", lang="en"):
    client.set_cookie("lang", lang)
    return client.post("/api/v1/auth/register", json={
        "username": username, "password": password, "display_name": "Liang"})


@pytest.mark.parametrize("password", ["12345678", "password", "Password1", "QWERTYUIOP",
                                      "iloveyou"])
def test_common_passwords_are_refused(client, db, password):
    response = register(client, password)
    assert response.status_code == 400
    assert response.json["error"]["fields"]["password"] == [
        "This password is too common. Choose another one."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["liang-home", "Liang.Home"])
def test_the_username_is_not_a_password(client, password):
    response = register(client, password, username=password)
    assert response.status_code == 400
    assert response.json["error"]["fields"]["password"] == [
        "Your password may not be your username."]


def test_short_passwords_are_refused(client):
    assert register(client, "k7#pQ2z").status_code == 400


def test_messages_are_in_chinese_too(client):
    common = register(client, "12345678", lang="zh_CN").json["error"]["fields"]["password"][0]
    same = register(client, "liangliang", username="liangliang",
                    lang="zh_CN").json["error"]["fields"]["password"][0]
    assert "常见" in common and "用户名" in same


def test_a_good_password_is_accepted(client):
    assert register(client, "tea by the river 7").status_code == 201


def test_the_list_comes_from_the_package_and_ignores_letter_case():
    assert is_common_password("DRAGON") and not is_common_password(PASSWORD)


def test_changing_to_the_username_is_refused(db):
    user = make_user(username="wang-wei")
    with pytest.raises(ValidationFailed) as raised:
        domain.change_password(user, PASSWORD, "Wang-Wei")
    assert "new_password" in raised.value.fields
