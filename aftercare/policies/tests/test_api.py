"""Policy endpoints: read, create, version, presets, permissions, isolation, and the dry run."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftercare.commerce.models import Order
from aftercare.core.actors import Actor
from aftercare.core.models import AuditEvent
from aftercare.core.testing import api_caller
from aftercare.policies import actions
from aftercare.policies.models import PolicyVersion, ReturnPolicy
from aftercare.policies.presets import china_7day
from aftercare.policies.spec import dump_spec
from aftercare.policies.tests.factories import delivered_order

BASE = "/api/v1/policies"


def _row_counts() -> dict[str, int]:
    models = (ReturnPolicy, PolicyVersion, AuditEvent, Order)
    return {model.__name__: model.objects.count() for model in models}


def test_create_list_and_read_a_policy(api, merchant) -> None:
    created = api.post(BASE, {"name": "Ours", "spec": dump_spec(china_7day())})

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["is_active"] and body["current_version"] == 1
    assert body["versions"][0]["spec"]["windows"]["return_days"] == 7
    listed = api.get(BASE).json()
    assert [(p["name"], p["current_version"]) for p in listed] == [("Ours", 1)]
    assert api.get(f"{BASE}/{body['id']}").json()["versions"][0]["number"] == 1


def test_new_version_keeps_the_old_one(api, merchant, system_actor: Actor) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    spec = dump_spec(china_7day())
    spec["windows"]["return_days"] = 10

    response = api.post(f"{BASE}/{policy.pk}/versions", {"spec": spec, "note": "longer"})

    assert response.status_code == 201 and response.json()["number"] == 2
    versions = api.get(f"{BASE}/{policy.pk}").json()["versions"]
    assert [v["spec"]["windows"]["return_days"] for v in versions] == [10, 7]


def test_invalid_spec_is_422_with_field_errors(api) -> None:
    spec = dump_spec(china_7day())
    spec["rules"][0]["conditions"][0] = {"field": "order.value", "op": "in", "value": ["x"]}
    spec["review_business_days"] = 5

    response = api.post(BASE, {"name": "Bad", "spec": spec})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    locations = [tuple(e["loc"][:3]) for e in response.json()["errors"]]
    assert ("body", "payload", "spec") in locations
    assert any("review_business_days" in e["loc"] for e in response.json()["errors"])
    assert not ReturnPolicy.objects.exists()


def test_install_preset_endpoint(api, merchant) -> None:
    first = api.post(f"{BASE}/presets/china_7day")
    second = api.post(f"{BASE}/presets/eu_14day")
    unknown = api.post(f"{BASE}/presets/mars")

    assert first.status_code == second.status_code == 201
    assert second.json()["current_version"] == 2
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_preset"


def test_agents_read_but_do_not_write(merchant, agent, client) -> None:
    client.force_login(agent.user)
    assert client.get(BASE).status_code == 200
    response = client.post(f"{BASE}/presets/custom", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["permission"] == "policy.write"
    reader = api_caller(merchant, ["commerce.read"])
    assert reader.post(f"{BASE}/presets/custom").status_code == 403
    assert not ReturnPolicy.objects.exists()


def test_supervisor_may_write(merchant, supervisor, client) -> None:
    client.force_login(supervisor.user)
    response = client.post(f"{BASE}/presets/custom", content_type="application/json")
    assert response.status_code == 201


def test_another_merchants_policy_and_order_look_missing(
    api, other_api, merchant, other_merchant, store, system_actor: Actor
) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    order, lines = delivered_order(merchant, store)
    actions.install_preset(actor=Actor.system(other_merchant), name="custom")
    body = {
        "order_id": order.pk,
        "lines": [{"order_line_id": lines[0].pk, "quantity": 1}],
        "type": "return_refund",
        "reason": "size",
    }

    assert other_api.get(f"{BASE}/{policy.pk}").status_code == 404
    assert other_api.post(f"{BASE}/{policy.pk}/versions", {"spec": {}}).status_code == 404
    assert other_api.post(f"{BASE}/evaluate", body).status_code == 404
    other_version = PolicyVersion.objects.exclude(merchant=merchant).get()
    replay = api.post(f"{BASE}/evaluate", {**body, "policy_version_id": other_version.pk})
    assert replay.status_code == 404
    assert [p["name"] for p in other_api.get(BASE).json()] == ["Custom policy"]


def test_dry_run_decides_and_changes_nothing(api, merchant, store, system_actor: Actor) -> None:
    actions.install_preset(actor=system_actor, name="china_7day")
    order, lines = delivered_order(merchant, store)
    before = _row_counts()

    response = api.post(
        f"{BASE}/evaluate?lang=zh-Hans",
        {
            "order_external_id": order.external_id,
            "lines": [
                {"order_line_id": lines[0].pk, "quantity": 1, "stated_condition": "unopened"},
                {"order_line_id": lines[1].pk, "quantity": 2, "stated_condition": "opened"},
            ],
            "type": "return_refund",
            "reason": "quality_defect",
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "eligible" and body["policy_version"] == 1
    assert [line["shipping_payer"] for line in body["lines"]] == ["merchant", "merchant"]
    assert body["refund_total"] == "310.00"  # 1 + 2 units at 100.00, and 10.00 shipping
    assert body["lines"][0]["refund"]["item_value"] == "100.00"
    assert body["explanation"][0].endswith("。") and "签收后" in body["explanation"][0]
    assert body["lines"][0]["trace"][0]["code"] == "quantity"
    assert _row_counts() == before


def test_dry_run_speaks_the_customers_language_by_default(
    api, merchant, store, system_actor: Actor
) -> None:
    actions.install_preset(actor=system_actor, name="china_7day")
    order, lines = delivered_order(merchant, store)  # the customer speaks English
    response = api.post(
        f"{BASE}/evaluate",
        {
            "order_id": order.pk,
            "lines": [{"order_line_id": lines[0].pk, "quantity": 1}],
            "type": "return_refund",
            "reason": "size",
            "requested_at": (timezone.now() + timedelta(days=10)).isoformat(),
        },
    )
    body = response.json()
    assert body["language"] == "en" and body["outcome"] == "not_eligible"
    assert "past the 7-day window" in body["explanation"][0]


def test_dry_run_input_errors(api, merchant, store, system_actor: Actor) -> None:
    order, lines = delivered_order(merchant, store)
    line = {"order_line_id": lines[0].pk, "quantity": 1}
    base = {"order_id": order.pk, "lines": [line], "type": "return_refund", "reason": "size"}

    no_policy = api.post(f"{BASE}/evaluate", base)
    actions.install_preset(actor=system_actor, name="china_7day")
    too_many = api.post(f"{BASE}/evaluate", {**base, "lines": [{**line, "quantity": 5}]})
    bad_reason = api.post(f"{BASE}/evaluate", {**base, "reason": "bored"})
    both_ids = api.post(f"{BASE}/evaluate", {**base, "order_external_id": order.external_id})

    assert no_policy.status_code == 422 and no_policy.json()["code"] == "no_active_policy"
    assert too_many.status_code == 422 and too_many.json()["code"] == "invalid_request_lines"
    assert bad_reason.status_code == 422
    assert both_ids.status_code == 422
