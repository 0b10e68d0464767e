"""Admin: editing the spec adds a version; a bad spec is refused with field errors."""

from __future__ import annotations

import json

from aftercare.core.actors import Actor
from aftercare.policies import actions
from aftercare.policies.presets import china_7day
from aftercare.policies.spec import dump_spec


def _change(client, policy, spec_text: str):  # type: ignore[no-untyped-def]
    url = f"/admin/policies/returnpolicy/{policy.pk}/change/"
    data = {
        "name": policy.name,
        "new_spec": spec_text,
        "version_note": "longer window",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": str(policy.versions.get().pk),
        "versions-0-policy": str(policy.pk),
    }
    return client.post(url, data)


def test_admin_edit_adds_a_version(admin_member, client, system_actor: Actor) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    client.force_login(admin_member.user)
    spec = dump_spec(china_7day())
    spec["windows"]["return_days"] = 10

    page = client.get(f"/admin/policies/returnpolicy/{policy.pk}/change/")
    response = _change(client, policy, json.dumps(spec))

    assert page.status_code == 200 and b"return_days" in page.content
    assert b"created_by" in page.content or b"Created by" in page.content
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = list(policy.versions.order_by("number"))
    assert [v.spec["windows"]["return_days"] for v in versions] == [7, 10]
    assert versions[1].created_by == "admin"


def test_admin_refuses_an_invalid_spec(admin_member, client, system_actor: Actor) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    client.force_login(admin_member.user)

    response = _change(client, policy, json.dumps({"review_business_days": 9}))

    assert response.status_code == 200
    assert b"review_business_days" in response.content
    assert policy.versions.count() == 1


def test_admin_sees_only_its_merchants_policies(
    admin_member, client, other_merchant, system_actor: Actor
) -> None:
    actions.create_policy(actor=Actor.system(other_merchant), name="Theirs", spec=china_7day())
    client.force_login(admin_member.user)
    page = client.get("/admin/policies/returnpolicy/")
    assert b"Theirs" not in page.content


def test_admin_creates_a_policy_for_its_merchant(admin_member, client, merchant) -> None:
    client.force_login(admin_member.user)
    response = client.post(
        "/admin/policies/returnpolicy/add/",
        {
            "name": "From the admin",
            "new_spec": json.dumps(dump_spec(china_7day())),
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    policy = merchant_policy(merchant)
    assert policy.name == "From the admin" and policy.is_active
    assert policy.versions.get().created_by == "admin"


def test_admin_preset_action_adds_a_version(admin_member, client, system_actor: Actor) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    client.force_login(admin_member.user)

    response = client.post(
        "/admin/policies/returnpolicy/",
        {"action": "install_eu_14day", "_selected_action": [str(policy.pk)]},
    )

    assert response.status_code == 302
    assert policy.versions.order_by("-number").first().spec["windows"]["return_days"] == 14


def merchant_policy(merchant):  # type: ignore[no-untyped-def]
    from aftercare.policies.models import ReturnPolicy

    return ReturnPolicy.objects.get(merchant=merchant)
