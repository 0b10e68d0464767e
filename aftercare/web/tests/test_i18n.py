"""Interface languages: from the browser's Accept-Language, or the switcher's choice."""

from __future__ import annotations

import pytest
from django.test import Client

from aftercare.merchants.models import Member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "expected", "lang"),
    [
        ("zh-TW,zh;q=0.9", "最近訂單", "zh-hant"),
        ("zh-Hant", "最近訂單", "zh-hant"),
        ("zh-HK", "最近訂單", "zh-hant"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "最近订单", "zh-hans"),
        ("zh-Hans", "最近订单", "zh-hans"),
        ("en-US,en;q=0.9", "Recent orders", "en"),
    ],
)
def test_language_follows_the_browser(
    client: Client, agent: Member, accept: str, expected: str, lang: str
) -> None:
    client.force_login(agent.user)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()

    assert expected in page
    assert f'<html lang="{lang}">' in page


def test_switcher_choice_persists_over_the_browser(client: Client, agent: Member) -> None:
    client.force_login(agent.user)

    client.post("/i18n/setlang/", {"language": "zh-hans"}, HTTP_REFERER="/")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "最近订单" in page
    assert "搜索" in page


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-CN", "订单遇到问题了吗？"),
        ("zh-TW", "訂單遇到問題了嗎？"),
        ("en", "Need help with an order?"),
    ],
)
def test_portal_landing_is_translated(client: Client, accept: str, expected: str) -> None:
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()

    assert expected in page


def test_login_error_is_translated(client: Client, agent: Member) -> None:
    response = client.post(
        "/login/", {"username": "agent", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )

    assert "登录" in response.content.decode()
