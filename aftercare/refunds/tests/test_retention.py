"""R6: retention offers shown in the portal before a customer-side refund is submitted; the
answer is recorded and the acceptance rate can be queried."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from aftercare.refunds import queries
from aftercare.refunds.models import Grant, RetentionOffer, RetentionResponse
from aftercare.returns.models import Case

PHONE = "+8613812345678"


@pytest.fixture
def portal(merchant, order) -> Client:  # type: ignore[no-untyped-def]
    cache.clear()
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    client = Client()
    response = client.post("/portal/acme/", {"order_number": order.external_id, "contact": PHONE})
    assert response.status_code == 302
    return client


@pytest.fixture
def offers(merchant) -> list[RetentionOffer]:  # type: ignore[no-untyped-def]
    return [
        RetentionOffer.objects.create(
            merchant=merchant, kind="keep_partial_refund", reasons=["changed_mind"], percent=20
        ),
        RetentionOffer.objects.create(merchant=merchant, kind="coupon", percent=30, priority=2),
    ]


def _request(lines, reason: str = "changed_mind", **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "type": "return_refund",
        "reason": reason,
        f"qty_{lines[0].pk}": "1",
        f"condition_{lines[0].pk}": "unopened",
        **extra,
    }


def test_offers_are_shown_before_a_changed_mind_refund(portal, lines, offers) -> None:
    response = portal.post("/portal/acme/order/request/", _request(lines))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="retention"' in page
    assert "20.00" in page and "30.00" in page  # 20 % and 30 % of the 100.00 item
    assert not Case.objects.exists()


def test_a_merchant_fault_reason_gets_no_offer(portal, lines, offers) -> None:
    response = portal.post("/portal/acme/order/request/", _request(lines, "quality_defect"))

    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_refusing_records_it_on_the_case(merchant, portal, lines, offers) -> None:
    body = _request(lines, retention="declined")
    body["offer"] = [str(o.pk) for o in offers]  # type: ignore[assignment]

    response = portal.post("/portal/acme/order/request/", body)

    assert response.status_code == 302
    case = Case.objects.get()
    refused = RetentionResponse.objects.filter(case=case, accepted=False)
    assert refused.count() == 2
    summary = queries.retention_acceptance(merchant.pk)
    assert (summary["shown"], summary["accepted"], summary["rate"]) == (2, 0, 0.0)
    assert [row["shown"] for row in summary["offers"]] == [1, 1]


def test_accepting_a_partial_refund_grants_it_once(merchant, order, portal, lines, offers) -> None:
    body = _request(lines, retention=f"accept:{offers[0].pk}")

    first = portal.post("/portal/acme/order/request/", body)
    again = portal.post("/portal/acme/order/request/", body)

    assert first.status_code == 200 and 'id="retention-done"' in first.content.decode()
    assert again.status_code == 409
    grant = Grant.objects.get()
    assert grant.kind == "partial_refund" and grant.amount == Decimal("20.00")
    assert grant.source == "retention" and grant.order_id == order.pk
    assert not Case.objects.exists()
    assert queries.retention_acceptance(merchant.pk)["accepted"] == 1


def test_accepting_a_coupon_shows_its_code(portal, lines, offers) -> None:
    response = portal.post(
        "/portal/acme/order/request/", _request(lines, retention=f"accept:{offers[1].pk}")
    )

    grant = Grant.objects.get()
    assert grant.kind == "coupon" and grant.coupon_code
    assert grant.coupon_code in response.content.decode()
