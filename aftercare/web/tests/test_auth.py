"""Signing in and out of the console."""

from __future__ import annotations

import pytest
from django.test import Client

from aftercare.core.testing import PASSWORD
from aftercare.merchants.models import Member

pytestmark = pytest.mark.django_db


def test_login_page_renders_with_the_language_switcher(client: Client) -> None:
    page = client.get("/login/").content.decode()

    assert 'name="username"' in page
    assert 'action="/i18n/setlang/"' in page
    assert "cdn" not in page.lower()


def test_agent_signs_in_and_lands_on_orders(client: Client, agent: Member) -> None:
    response = client.post("/login/", {"username": "agent", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    page = response.content.decode()
    assert "Recent orders" in page
    assert "Acme Home" in page
    assert "Agent" in page


def test_wrong_password_shows_an_error(client: Client, agent: Member) -> None:
    response = client.post("/login/", {"username": "agent", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post(client: Client, agent: Member) -> None:
    client.force_login(agent.user)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert client.get("/").status_code == 302
