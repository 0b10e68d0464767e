"""The admin refuses templates that would not render and previews with a real case; the API
lists, previews, saves and reports problems as problem+json without changing anything."""

from __future__ import annotations

from django.test import Client

from aftercare.core.testing import make_member
from aftercare.merchants.models import Role
from aftercare.notifications.models import ContactPreference, MessageTemplate
from aftercare.returns.tests.helpers import open_case


def _admin_client(merchant) -> Client:  # type: ignore[no-untyped-def]
    member = make_member(merchant, Role.ADMIN, "boss")
    member.user.is_staff = True
    member.user.save()
    client = Client()
    client.force_login(member.user)
    return client


def test_admin_refuses_a_template_with_an_unknown_variable(merchant) -> None:
    client = _admin_client(merchant)
    form = {
        "merchant": merchant.pk,
        "event": "submitted",
        "channel": "sms",
        "language": "en",
        "body": "Hi {{ settings.SECRET_KEY }}",
    }

    response = client.post("/admin/notifications/messagetemplate/add/", form)

    assert response.status_code == 200 and "unknown variable" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_admin_previews_a_saved_template_with_the_latest_case(
    merchant, reviewed, order_lines, agent_actor
) -> None:
    order, lines = order_lines
    case = open_case(agent_actor, order, lines[:1])
    template = MessageTemplate.objects.create(
        merchant=merchant,
        event="submitted",
        channel="email",
        language="en",
        subject="About {{ case_number }}",
        body="Dear {{ customer_name }}",
    )

    page = _admin_client(merchant).get(
        f"/admin/notifications/messagetemplate/{template.pk}/change/"
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert f"About {case.number}" in text and f"Dear {order.customer.name}" in text


def test_api_preview_renders_a_real_case_and_refuses_a_bad_template(
    api, reviewed, order_lines, agent_actor
) -> None:
    order, lines = order_lines
    case = open_case(agent_actor, order, lines[:1])

    good = api.post(
        "/api/v1/notifications/templates/preview",
        {
            "case_id": case.pk,
            "channel": "email",
            "subject": "{{ case_number }}",
            "body": "Hi {{ customer_name }}",
        },
    )
    bad = api.post(
        "/api/v1/notifications/templates/preview",
        {"case_id": case.pk, "channel": "sms", "body": "{% include 'x.html' %}"},
    )

    assert good.status_code == 200
    assert good.json()["subject"] == case.number and order.customer.name in good.json()["html_body"]
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["code"] == "template_invalid"


def test_api_saves_a_template_and_lists_it_as_customised(api, merchant) -> None:
    saved = api.post(
        "/api/v1/notifications/templates",
        {
            "event": "refunded",
            "channel": "sms",
            "language": "en",
            "body": "Paid {{ refund_amount }}",
        },
    )
    bad_key = api.post(
        "/api/v1/notifications/templates",
        {"event": "exploded", "channel": "sms", "language": "en", "body": "x"},
    )
    listed = api.get("/api/v1/notifications/templates").json()

    assert saved.status_code == 201 and bad_key.status_code == 422
    assert MessageTemplate.objects.count() == 1
    mine = [t for t in listed if t["customised"]]
    assert [(t["event"], t["channel"], t["language"]) for t in mine] == [("refunded", "sms", "en")]
    assert len(listed) == 14 * 5 * 3


def test_api_preferences_round_trip_and_bad_values_change_nothing(api, order_lines) -> None:
    order, _ = order_lines
    url = f"/api/v1/notifications/preferences/{order.customer_id}"

    bad = api.post(url, {"preferred_channel": "pigeon", "opted_out": ["sms"]})
    assert bad.status_code == 422 and not ContactPreference.objects.exists()
    ok = api.post(
        url, {"preferred_channel": "email", "opted_out": ["sms"], "timezone": "Asia/Taipei"}
    )

    assert ok.status_code == 200
    assert api.get(url).json() == {
        "customer_id": order.customer_id,
        "preferred_channel": "email",
        "opted_out": ["sms"],
        "timezone": "Asia/Taipei",
    }
