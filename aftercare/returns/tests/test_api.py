"""The /api/v1/cases endpoints: create, list with filters, detail, actions, uploads, errors."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare.core.testing import api_caller
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Attachment
from aftercare.returns.tests.helpers import body_for, open_case, snapshot

BASE = "/api/v1/cases"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_create_returns_the_case_with_trace_and_instructions(api, china, order, lines) -> None:
    response = api.post(BASE, body_for(order, lines[:1], description="too small"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_return_shipment" and body["auto_approved"]
    assert body["instructions"]["rma_number"] == body["number"]
    assert body["stage_clock"]["stage"] == "customer_shipping"
    assert not body["stage_clock"]["overdue"]
    assert body["explanation"] and body["decision"]["language"] == "en"  # customer's language
    assert [line["quantity"] for line in body["lines"]] == [1]
    assert body["timeline"][0]["kind"] == "case:created"


def test_detail_renders_the_trace_in_the_asked_language(api, china, order, lines) -> None:
    case_id = api.post(BASE, body_for(order, lines[:1])).json()["id"]

    english = api.get(f"{BASE}/{case_id}").json()
    chinese = api.get(f"{BASE}/{case_id}?lang=zh-Hant").json()

    assert chinese["decision"]["language"] == "zh-Hant"
    assert chinese["explanation"] != english["explanation"]
    assert chinese["decision"]["lines"][0]["explanation"] == chinese["explanation"][0]


def test_unknown_reason_and_bad_quantity_are_422_and_nothing_changes(
    api, china, order, lines
) -> None:
    before = snapshot()

    unknown = api.post(BASE, body_for(order, lines[:1], reason="bored"))
    too_many = api.post(
        BASE,
        {**body_for(order, lines[:1]), "lines": [{"order_line_id": lines[0].pk, "quantity": 9}]},
    )

    assert unknown.status_code == too_many.status_code == 422
    assert unknown["Content-Type"] == "application/problem+json"
    assert any("reason" in e["loc"] for e in unknown.json()["errors"])
    assert too_many.json()["code"] == "invalid_request_lines"
    assert "exceeds" in too_many.json()["errors"][0]["msg"]
    assert snapshot() == before


def test_not_eligible_names_the_line_and_the_policy_sentence(api, merchant, store, china) -> None:
    order, lines = delivered_order(merchant, store, delivered_at=timezone.now() - timedelta(30))
    before = snapshot()

    response = api.post(BASE, body_for(order, lines[:1]))

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "not_eligible" and str(lines[0].pk) in problem["detail"]
    assert problem["errors"][0]["order_line_id"] == lines[0].pk
    assert "7" in problem["errors"][0]["msg"]  # the window the policy sets
    assert snapshot() == before


def test_illegal_action_is_409_problem_and_nothing_changes(api, china, order, lines) -> None:
    case_id = api.post(BASE, body_for(order, lines[:1])).json()["id"]
    before = snapshot()

    response = api.post(f"{BASE}/{case_id}/approve", {})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["from"] == "awaiting_return_shipment"
    assert snapshot() == before


def test_full_return_through_the_api(api, reviewed, order, lines) -> None:
    case_id = api.post(BASE, body_for(order, lines[:1])).json()["id"]
    steps = [
        ("approve", {}),
        ("ship", {"tracking_number": "SF123", "carrier": "sf"}),
        ("receive", {}),
        ("start-inspection", None),
    ]
    for action, body in steps:
        response = api.post(f"{BASE}/{case_id}/{action}", body)
        assert response.status_code == 200, (action, response.content)
    line_id = response.json()["lines"][0]["id"]
    inspected = api.post(
        f"{BASE}/{case_id}/inspect",
        {"lines": [{"case_line_id": line_id, "received_quantity": 1, "passed": True}]},
    )
    assert inspected.json()["status"] == "refund_processing"
    assert api.post(f"{BASE}/{case_id}/mark-refunded", {"reference": "R1"}).status_code == 200
    closed = api.post(f"{BASE}/{case_id}/close", {}).json()

    assert closed["status"] == "closed"
    statuses = [t["data"].get("to") for t in closed["timeline"] if t["kind"].startswith("status")]
    assert statuses == [
        "under_review",
        "approved",
        "awaiting_return_shipment",
        "in_transit",
        "received",
        "inspecting",
        "inspection_passed",
        "refund_processing",
        "refunded",
        "closed",
    ]


def test_list_filters_and_constant_query_count(api, merchant, store, china, agent_actor) -> None:
    orders = [delivered_order(merchant, store) for _ in range(3)]
    for order, lines in orders:
        open_case(agent_actor, order, lines)
    flagged, flagged_lines = delivered_order(merchant, store, risk_tags=["watch"])
    review = open_case(agent_actor, flagged, flagged_lines[:1])
    api.get(BASE)  # the key's last-used stamp is written once a minute

    with CaptureQueriesContext(connection) as small:
        assert len(api.get(f"{BASE}?limit=1").json()["items"]) == 1
    with CaptureQueriesContext(connection) as large:
        listed = api.get(BASE).json()

    assert len(small) == len(large)
    assert len(listed["items"]) == 4 and not listed["has_more"]
    assert [c["id"] for c in api.get(f"{BASE}?status=under_review").json()["items"]] == [review.pk]
    by_order = api.get(f"{BASE}?order_id={orders[0][0].pk}").json()["items"]
    assert [c["order_id"] for c in by_order] == [orders[0][0].pk]
    assert api.get(f"{BASE}?customer_id={flagged.customer_id}").json()["items"][0]["id"] == (
        review.pk
    )
    assert api.get(f"{BASE}?reason=size&type=exchange").json()["items"] == []
    assert api.get(f"{BASE}?overdue=true").json()["items"] == []
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        overdue = api.get(f"{BASE}?overdue=true").json()["items"]
    assert len(overdue) == 4  # review and customer-shipping deadlines all passed
    assert api.get(f"{BASE}?status=nonsense").status_code == 422


def test_detail_query_count_does_not_grow(api, merchant, store, china, agent_actor) -> None:
    small_order, small_lines = delivered_order(merchant, store, lines=1)
    big_order, big_lines = delivered_order(merchant, store, lines=6)
    small = open_case(agent_actor, small_order, small_lines)
    big = open_case(agent_actor, big_order, big_lines)
    api.get(f"{BASE}/{small.pk}")  # the key's last-used stamp is written once a minute

    with CaptureQueriesContext(connection) as one:
        api.get(f"{BASE}/{small.pk}")
    with CaptureQueriesContext(connection) as many:
        api.get(f"{BASE}/{big.pk}")

    assert len(one) == len(many) <= 8


def test_upload_a_photo_checked_by_its_bytes(merchant, china, order, lines, agent_actor) -> None:
    case = open_case(agent_actor, order, lines[:1])
    caller = api_caller(merchant)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {caller.token}")
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(
        f"{BASE}/{case.pk}/attachments",
        {"file": SimpleUploadedFile("p.png", JPEG, content_type="image/png")},
    )
    before = snapshot()
    fake = client.post(
        f"{BASE}/{case.pk}/attachments",
        {"file": SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")},
    )
    wrong_kind = client.post(
        f"{BASE}/{case.pk}/attachments",
        {"file": SimpleUploadedFile("v.mp4", JPEG, "video/mp4"), "kind": "video"},
    )
    missing = client.post(f"{BASE}/{case.pk}/attachments", {})

    assert ok.status_code == 201, ok.content
    assert ok.json()["content_type"] == "image/jpeg" and ok.json()["kind"] == "photo"
    assert fake.status_code == 422 and fake.json()["code"] == "invalid_attachment"
    assert wrong_kind.status_code == 422
    assert missing.status_code == 422
    assert snapshot() == before
    assert Attachment.objects.count() == 1


def test_oversized_upload_is_413(merchant, china, order, lines, agent_actor, monkeypatch) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftercare.returns import attachments

    monkeypatch.setitem(attachments.SIZE_LIMITS, "photo", 10)
    case = open_case(agent_actor, order, lines[:1])
    caller = api_caller(merchant)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {caller.token}")

    response = client.post(
        f"{BASE}/{case.pk}/attachments", {"file": SimpleUploadedFile("p.jpg", JPEG, "image/jpeg")}
    )

    assert response.status_code == 413 and response.json()["code"] == "attachment_too_large"
    assert not Attachment.objects.exists()


def test_warehouse_key_cannot_approve_and_agents_cannot_decide(
    merchant, reviewed, order, lines, client, agent
) -> None:
    warehouse = api_caller(merchant, ["cases.read", "cases.inspect"])
    case_id = api_caller(merchant).post(BASE, body_for(order, lines[:1])).json()["id"]

    assert warehouse.post(f"{BASE}/{case_id}/approve", {}).status_code == 403
    client.force_login(agent.user)
    response = client.post(
        f"{BASE}/{case_id}/decide-appeal",
        {"overturn": True, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def _without_clock_tick(body: dict) -> dict:  # type: ignore[type-arg]
    # The seconds left on the stage clock count down between the two calls.
    return {**body, "stage_clock": {**body["stage_clock"], "remaining_seconds": None}}


def test_the_201_body_is_the_detail_a_get_returns(api, merchant, store, china) -> None:
    # The create response is built from the rows creation wrote, not read back: it must say
    # exactly what a later GET says, for an auto-approved case and one sent to review.
    approved_order, approved_lines = delivered_order(merchant, store, lines=3)
    flagged, flagged_lines = delivered_order(merchant, store, risk_tags=["watch"])
    for order, lines, lang in (
        (approved_order, approved_lines, None),
        (flagged, flagged_lines[:1], "zh-Hant"),
    ):
        query = f"?lang={lang}" if lang else ""
        created = api.post(f"{BASE}{query}", body_for(order, lines))
        assert created.status_code == 201, created.content
        shown = api.get(f"{BASE}/{created.json()['id']}{query}")
        assert _without_clock_tick(created.json()) == _without_clock_tick(shown.json())
    assert created.json()["status"] == "under_review"
