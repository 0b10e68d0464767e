"""The customer portal through Django's test client: lookup, rate limits, scoping, language,
and starting a case through the returns actions."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns import actions
from aftercare.returns.models import Case
from aftercare.returns.tests.helpers import install_policy, snapshot

pytestmark = pytest.mark.django_db

PHONE = "+8613812345678"
NOT_FOUND = "We could not find an order with that number and phone number or email."


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the attempt counters live in the cache, shared across tests


@pytest.fixture
def shop(merchant: Merchant, store: Store) -> tuple[Order, list[OrderLine]]:
    install_policy(merchant, "custom")
    order, lines = delivered_order(merchant, store)
    order.customer.phone, order.customer.email = PHONE, "buyer@example.com"
    order.customer.save(update_fields=["phone", "email"])
    return order, lines


def _look_up(client: Client, order: Order, contact: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/portal/acme/", {"order_number": order.external_id, "contact": contact}, **headers
    )


def test_phone_typed_with_spaces_opens_the_order(client: Client, shop) -> None:
    order, lines = shop

    response = _look_up(client, order, "138 1234 5678")
    page = client.get("/portal/acme/order/")

    assert response.status_code == 302 and response["Location"] == "/portal/acme/order/"
    assert page.status_code == 200
    assert lines[0].name in page.content.decode()


def test_email_in_any_case_opens_the_order(client: Client, shop) -> None:
    assert _look_up(client, shop[0], " Buyer@Example.com ").status_code == 302


def test_unknown_order_and_wrong_phone_get_the_same_answer(client: Client, shop) -> None:
    order, _ = shop
    wrong_phone = _look_up(client, order, "139 0000 0000")
    unknown = client.post("/portal/acme/", {"order_number": "NOPE-1", "contact": PHONE})

    assert wrong_phone.status_code == unknown.status_code == 404
    assert NOT_FOUND in wrong_phone.content.decode()
    assert NOT_FOUND in unknown.content.decode()
    assert client.get("/portal/acme/order/").status_code == 302  # nothing granted


def test_another_merchants_portal_does_not_find_the_order(client: Client, shop, other_merchant):  # type: ignore[no-untyped-def]
    response = client.post(
        "/portal/rival/", {"order_number": shop[0].external_id, "contact": PHONE}
    )
    assert response.status_code == 404


def test_an_order_number_is_limited_to_five_attempts(client: Client, shop) -> None:
    order, _ = shop
    for _ in range(5):
        assert _look_up(client, order, "139 0000 0000").status_code == 404

    # Even the right phone is refused now, from a fresh address: the order number is locked.
    response = _look_up(client, order, PHONE, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_an_address_is_limited_to_ten_attempts(client: Client, shop) -> None:
    for n in range(10):
        client.post("/portal/acme/", {"order_number": f"GUESS-{n}", "contact": PHONE})

    response = _look_up(client, shop[0], PHONE)

    assert response.status_code == 429


def test_a_case_of_another_order_is_not_found(client: Client, shop, merchant, store) -> None:
    order, _lines = shop
    other_order, other_lines = delivered_order(merchant, store)
    other = Client()
    other_order.customer.phone = "+8613900001111"
    other_order.customer.save(update_fields=["phone"])
    _look_up(other, other_order, "13900001111")
    other.post(
        "/portal/acme/order/request/",
        {"type": "return_refund", "reason": "size", f"qty_{other_lines[0].pk}": "1"},
    )
    foreign = Case.objects.get(order=other_order)

    _look_up(client, order, PHONE)

    assert client.get(f"/portal/acme/cases/{foreign.pk}/").status_code == 404
    assert client.post(f"/portal/acme/cases/{foreign.pk}/cancel/").status_code == 404
    assert Case.objects.get(pk=foreign.pk).status == "under_review"


def test_starting_a_case_goes_through_the_action(client: Client, shop) -> None:
    order, lines = shop
    _look_up(client, order, PHONE)

    response = client.post(
        "/portal/acme/order/request/",
        {
            "type": "return_refund",
            "reason": "size",
            f"qty_{lines[0].pk}": "1",
            f"condition_{lines[0].pk}": "unopened",
            "description": "too small",
        },
    )

    case = Case.objects.get(order=order)
    assert response.status_code == 302 and response["Location"] == f"/portal/acme/cases/{case.pk}/"
    assert case.status == "under_review" and case.lines.get().quantity == 1
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "Under review" in page


def test_a_refused_request_changes_nothing_and_says_why(client: Client, shop) -> None:
    order, lines = shop
    _look_up(client, order, PHONE)
    before = snapshot()

    too_many = client.post(
        "/portal/acme/order/request/",
        {"type": "return_refund", "reason": "size", f"qty_{lines[0].pk}": "9"},
    )
    bad_photo = client.post(
        "/portal/acme/order/request/",
        {
            "type": "return_refund",
            "reason": "size",
            f"qty_{lines[0].pk}": "1",
            "photos": _file("notes.txt", b"just text"),
        },
    )

    assert too_many.status_code == 422
    assert "no more than can still be returned" in too_many.content.decode()
    assert bad_photo.status_code == 422
    assert "Only photos" in bad_photo.content.decode()
    assert snapshot() == before


def test_the_customer_cancels_and_cannot_cancel_twice(client: Client, shop) -> None:
    order, lines = shop
    _look_up(client, order, PHONE)
    client.post(
        "/portal/acme/order/request/",
        {"type": "return_refund", "reason": "size", f"qty_{lines[0].pk}": "1"},
    )
    case = Case.objects.get(order=order)

    assert client.post(f"/portal/acme/cases/{case.pk}/cancel/").status_code == 302
    again = client.post(f"/portal/acme/cases/{case.pk}/cancel/")

    assert Case.objects.get(pk=case.pk).status == "cancelled"
    assert again.status_code == 409
    assert "not possible any more" in again.content.decode()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("zh-CN", "查找订单"), ("zh-TW", "查詢訂單"), ("en", "Find your order")],
)
def test_language_follows_the_browser(client: Client, merchant, accept: str, expected: str) -> None:
    page = client.get("/portal/acme/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert expected in page


def test_order_page_speaks_the_customers_language(client: Client, shop) -> None:
    order, _ = shop
    _look_up(client, order, PHONE)

    page = client.get("/portal/acme/order/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert "可以退货吗？" in page


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_the_customer_appeals_a_rejection(client: Client, shop, merchant) -> None:  # type: ignore[no-untyped-def]
    order, lines = shop
    _look_up(client, order, PHONE)
    client.post(
        "/portal/acme/order/request/",
        {"type": "return_refund", "reason": "size", f"qty_{lines[0].pk}": "1"},
    )
    case = actions.reject_case(
        actor=Actor.system(merchant), case=Case.objects.get(order=order), reason="worn"
    )
    page = client.get(f"/portal/acme/cases/{case.pk}/").content.decode()
    assert "worn" in page and "Disagree with the decision?" in page

    blank = client.post(f"/portal/acme/cases/{case.pk}/appeal/", {"reason": "  "})
    done = client.post(f"/portal/acme/cases/{case.pk}/appeal/", {"reason": "It was unworn."})

    assert blank.status_code == 422
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "disputed"


def test_a_blank_tracking_number_is_refused(client: Client, merchant, store) -> None:  # type: ignore[no-untyped-def]
    install_policy(merchant, "china_7day")
    order, lines = delivered_order(merchant, store)
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    _look_up(client, order, PHONE)
    client.post(
        "/portal/acme/order/request/",
        {"type": "return_refund", "reason": "size", f"qty_{lines[0].pk}": "1"},
    )
    case = Case.objects.get(order=order)
    assert case.status == "awaiting_return_shipment"

    refused = client.post(
        f"/portal/acme/cases/{case.pk}/ship/", {"carrier": "sf", "tracking_number": " "}
    )

    assert refused.status_code == 422
    assert "Some fields are not valid" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == "awaiting_return_shipment"


def test_the_live_stamp_moves_when_an_agent_moves_the_case(
    client: Client, shop, agent_actor
) -> None:
    order, lines = shop
    _look_up(client, order, PHONE)
    before = client.get("/portal/acme/order/live/").json()["stamp"]
    case = actions.create_case(
        actor=agent_actor,
        order_id=order.pk,
        lines=[actions.LineRequest(order_line_id=lines[0].pk, quantity=1)],
        type="return_refund",
        reason="size",
    )
    opened = client.get("/portal/acme/order/live/")
    page = client.get(f"/portal/acme/cases/{case.pk}/").content.decode()

    actions.approve_case(actor=agent_actor, case=case)
    approved = client.get("/portal/acme/order/live/").json()["stamp"]

    assert before.startswith("0@") and opened.json()["stamp"].startswith("1@")
    assert opened["Cache-Control"] == "no-store"
    assert f'data-live-stamp="{opened.json()["stamp"]}"' in page  # what the page compares
    assert approved != opened.json()["stamp"]


def test_the_live_stamp_needs_a_verified_order(client: Client, shop) -> None:
    assert client.get("/portal/acme/order/live/").status_code == 404
