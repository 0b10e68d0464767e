"""The Django admin: a merchant's admin sees only that merchant; superusers see everything;
API keys are created through the action and their secret is shown once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from aftercare.commerce.tests.factories import CustomerFactory, OrderFactory
from aftercare.core.testing import StoreFactory, make_member
from aftercare.merchants.models import ApiKey, Member, Merchant, Role
from aftercare.merchants.queries import actor_for_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_member: Member) -> Client:
    client = Client()
    client.force_login(admin_member.user)
    return client


@pytest.fixture
def superuser_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x" * 12)
    client = Client()
    client.force_login(user)
    return client


def test_merchant_admin_lists_only_their_orders(
    admin_client: Client, merchant: Merchant, other_merchant: Merchant
) -> None:
    OrderFactory(merchant=merchant, external_id="OURS-1")
    OrderFactory(merchant=other_merchant, external_id="THEIRS-1")

    page = admin_client.get("/admin/commerce/order/").content.decode()

    assert "OURS-1" in page
    assert "THEIRS-1" not in page


def test_merchant_admin_cannot_open_another_merchants_customer(
    admin_client: Client, merchant: Merchant, other_merchant: Merchant
) -> None:
    ours = CustomerFactory(merchant=merchant)
    theirs = CustomerFactory(merchant=other_merchant, name="Rival customer")

    mine = admin_client.get(f"/admin/commerce/customer/{ours.pk}/change/")
    response = admin_client.get(f"/admin/commerce/customer/{theirs.pk}/change/", follow=True)

    assert mine.status_code == 200
    assert "Rival customer" not in response.content.decode()
    assert response.redirect_chain[0][0] == "/admin/"
    assert "doesn’t exist" in response.content.decode()


def test_merchant_admin_form_offers_only_their_stores_and_merchant(
    admin_client: Client, merchant: Merchant, other_merchant: Merchant
) -> None:
    StoreFactory(merchant=merchant, name="Our flagship")
    StoreFactory(merchant=other_merchant, name="Rival flagship")

    page = admin_client.get("/admin/commerce/order/add/").content.decode()

    assert "Our flagship" in page
    assert "Rival flagship" not in page
    assert "Rival Goods" not in page


def test_merchant_admin_sees_only_their_merchant(admin_client: Client) -> None:
    page = admin_client.get("/admin/merchants/merchant/").content.decode()

    assert "Acme Home" in page
    assert "Rival Goods" not in page


def test_superuser_sees_every_merchants_orders(
    superuser_client: Client, merchant: Merchant, other_merchant: Merchant
) -> None:
    OrderFactory(merchant=merchant, external_id="OURS-1")
    OrderFactory(merchant=other_merchant, external_id="THEIRS-1")

    page = superuser_client.get("/admin/commerce/order/").content.decode()

    assert "OURS-1" in page
    assert "THEIRS-1" in page


def test_staff_who_is_not_a_merchant_admin_sees_nothing(merchant: Merchant) -> None:
    supervisor = make_member(merchant, Role.SUPERVISOR, "staff-supervisor")
    supervisor.user.is_staff = True
    supervisor.user.save()
    OrderFactory(merchant=merchant, external_id="OURS-1")
    client = Client()
    client.force_login(supervisor.user)

    assert client.get("/admin/commerce/order/").status_code == 403


def test_creating_an_api_key_shows_the_secret_once(
    admin_client: Client, merchant: Merchant
) -> None:
    response = admin_client.post(
        "/admin/merchants/apikey/add/",
        {"merchant": merchant.pk, "name": "ERP sync", "scopes": ["commerce.read"]},
    )

    page = response.content.decode()
    key = ApiKey.objects.get(name="ERP sync")
    secret = page.split('id="api-key-secret"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert "no-store" in response["Cache-Control"]
    assert key.merchant == merchant
    assert key.scopes == ["commerce.read"]
    assert secret.startswith(f"ak_{key.prefix}_")
    assert secret not in key.secret_hash
    actor = actor_for_api_key(secret)
    assert actor is not None and actor.merchant == merchant
    assert (
        secret not in admin_client.get(f"/admin/merchants/apikey/{key.pk}/change/").content.decode()
    )


def test_merchant_admin_cannot_create_a_key_for_another_merchant(
    admin_client: Client, other_merchant: Merchant
) -> None:
    response = admin_client.post(
        "/admin/merchants/apikey/add/",
        {"merchant": other_merchant.pk, "name": "sneaky", "scopes": ["*"]},
    )

    assert response.status_code == 200  # the form again, with an error
    assert not ApiKey.objects.filter(name="sneaky").exists()


def test_revoking_keys_from_the_list(admin_client: Client, merchant: Merchant) -> None:
    admin_client.post(
        "/admin/merchants/apikey/add/",
        {"merchant": merchant.pk, "name": "old", "scopes": ["*"]},
    )
    key = ApiKey.objects.get(name="old")

    admin_client.post(
        "/admin/merchants/apikey/",
        {"action": "revoke_keys", "_selected_action": [key.pk]},
    )

    key.refresh_from_db()
    assert key.revoked_at is not None


def test_audit_log_is_read_only_and_scoped(
    admin_client: Client, merchant: Merchant, other_merchant: Merchant
) -> None:
    admin_client.post(
        "/admin/merchants/apikey/add/",
        {"merchant": merchant.pk, "name": "audited", "scopes": ["*"]},
    )

    page = admin_client.get("/admin/core/auditevent/").content.decode()

    assert "api_key:created" in page
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/merchants/store/",
        "/admin/merchants/member/",
        "/admin/merchants/apikey/",
        "/admin/merchants/apikey/add/",
        "/admin/commerce/customer/",
        "/admin/commerce/product/",
        "/admin/commerce/order/",
        "/admin/commerce/shipment/",
        "/admin/core/auditevent/",
        "/admin/core/outboxmessage/",
        "/admin/core/inboxevent/",
    ],
)
def test_every_admin_page_opens_for_both_kinds_of_admin(
    admin_client: Client, superuser_client: Client, path: str
) -> None:
    assert admin_client.get(path).status_code == 200
    assert superuser_client.get(path).status_code == 200


def test_order_change_page_with_inlines_opens(
    admin_client: Client, merchant: Merchant, django_assert_max_num_queries: object
) -> None:
    order = OrderFactory(merchant=merchant)

    assert admin_client.get(f"/admin/commerce/order/{order.pk}/change/").status_code == 200
