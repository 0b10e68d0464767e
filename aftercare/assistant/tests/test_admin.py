"""The assistant's admin is tenant-scoped: a merchant's admin sees, opens and is offered only
their own merchant's FAQ entries and corrections; a superuser sees every merchant's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from aftercare.assistant.models import AssistantCorrection, FaqEntry
from aftercare.merchants.models import Member, Merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_member: Member) -> Client:
    client = Client()
    client.force_login(admin_member.user)
    return client


@pytest.fixture
def rows(merchant: Merchant, other_merchant: Merchant) -> dict[str, object]:
    return {
        "our_faq": FaqEntry.objects.create(merchant=merchant, key="our-return-window"),
        "their_faq": FaqEntry.objects.create(merchant=other_merchant, key="rival-return-window"),
        "our_fix": AssistantCorrection.objects.create(
            merchant=merchant, text="our jumper shrank", intent="return_request", created_by="a"
        ),
        "their_fix": AssistantCorrection.objects.create(
            merchant=other_merchant,
            text="rival kettle leaks",
            intent="refund_request",
            created_by="b",
        ),
    }


def test_merchant_admin_lists_only_their_faq_entries_and_corrections(
    admin_client: Client, rows: dict[str, object]
) -> None:
    faq = admin_client.get("/admin/assistant/faqentry/").content.decode()
    fixes = admin_client.get("/admin/assistant/assistantcorrection/").content.decode()

    assert "our-return-window" in faq
    assert "rival-return-window" not in faq
    assert "our jumper shrank" in fixes
    assert "rival kettle leaks" not in fixes


def test_merchant_admin_cannot_open_another_merchants_faq_entry(
    admin_client: Client, rows: dict[str, object]
) -> None:
    theirs = rows["their_faq"]
    assert isinstance(theirs, FaqEntry)

    response = admin_client.get(f"/admin/assistant/faqentry/{theirs.pk}/change/", follow=True)

    assert response.redirect_chain[0][0] == "/admin/"
    assert "rival-return-window" not in response.content.decode()


def test_merchant_admin_is_offered_only_their_merchant_when_adding_an_entry(
    admin_client: Client, rows: dict[str, object]
) -> None:
    page = admin_client.get("/admin/assistant/faqentry/add/").content.decode()

    assert "Acme Home" in page
    assert "Rival Goods" not in page


def test_corrections_are_not_added_in_the_admin_by_a_merchant_admin(
    admin_client: Client,
) -> None:
    # They come from the console with the agent who made them recorded.
    assert admin_client.get("/admin/assistant/assistantcorrection/add/").status_code == 403


def test_superuser_sees_every_merchants_entries(rows: dict[str, object]) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x" * 12)
    client = Client()
    client.force_login(user)

    page = client.get("/admin/assistant/faqentry/").content.decode()

    assert "our-return-window" in page
    assert "rival-return-window" in page
