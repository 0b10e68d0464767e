"""Writers of notification settings a merchant edits: templates and contact preferences."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from aftercare.commerce.models import Customer
from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.queries import get_scoped
from aftercare.notifications import render
from aftercare.notifications.defaults import LANGUAGES
from aftercare.notifications.messages import case_values
from aftercare.notifications.models import (
    Channel,
    ContactPreference,
    EventKey,
    MessageTemplate,
)
from aftercare.notifications.routing import settings_of, zone_of
from aftercare.returns.models import Case


def check_template_key(event: str, channel: str, language: str) -> None:
    problems = []
    if event not in EventKey.values:
        problems.append(f"unknown event {event!r}")
    if channel not in Channel.values:
        problems.append(f"unknown channel {channel!r}")
    if language not in LANGUAGES:
        problems.append(f"unknown language {language!r}")
    if problems:
        raise ValidationFailed("; ".join(problems) + ".", code="bad_template_key")


def validate_template(*, subject: str, body: str, html_body: str) -> None:
    """Every part must render: TemplateInvalid (422) names the first problem."""
    if not body.strip():
        raise render.TemplateInvalid("body: the body may not be empty")
    render.validate(subject, field="subject")
    render.validate(body, field="body")
    render.validate(html_body, field="html_body")


def save_template(
    *,
    actor: Actor,
    event: str,
    channel: str,
    language: str,
    subject: str = "",
    body: str,
    html_body: str = "",
) -> MessageTemplate:
    """Create or replace the merchant's wording for one event x channel x language."""
    require(actor, "notifications.manage")
    check_template_key(event, channel, language)
    validate_template(subject=subject, body=body, html_body=html_body)
    with transaction.atomic():
        template, _ = MessageTemplate.objects.update_or_create(
            merchant=actor.merchant,
            event=event,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body": body, "html_body": html_body},
        )
    return template


def preview_template(
    *,
    actor: Actor,
    case_id: int,
    channel: str,
    subject: str = "",
    body: str,
    html_body: str = "",
    data: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Render a draft with the values of one of the merchant's real cases."""
    require(actor, "notifications.read")
    validate_template(subject=subject, body=body, html_body=html_body)
    case = get_scoped(Case, actor.merchant, pk=case_id)
    values = case_values(case, data or _sample_data(case), settings_of(actor.merchant))
    text = render.render(body, values)
    rendered_subject = render.render(subject, values) if subject else ""
    html = ""
    if channel == Channel.EMAIL:
        html = (
            render.render(html_body, values, html=True)
            if html_body
            else render.html_from_text(text, title=rendered_subject)
        )
    return {"subject": rendered_subject, "body": text, "html_body": html}


def _sample_data(case: Case) -> dict[str, Any]:
    # The last event's data gives reason, tracking number etc. as the customer would see them.
    last = case.events.order_by("-id").first()
    return dict(last.data) if last is not None else {}


def set_preferences(
    *,
    actor: Actor,
    customer_id: int,
    preferred_channel: str = "",
    opted_out: list[str] | None = None,
    timezone: str = "",
) -> ContactPreference:
    require(actor, "desk.write")  # agents record "stop texting me" as they hear it
    customer = get_scoped(Customer, actor.merchant, pk=customer_id)
    problems = []
    if preferred_channel and preferred_channel not in Channel.values:
        problems.append(f"unknown channel {preferred_channel!r}")
    unknown = sorted(set(opted_out or []) - set(Channel.values))
    if unknown:
        problems.append(f"unknown channels {unknown}")
    if timezone and zone_of(timezone).key != timezone:
        problems.append(f"unknown time zone {timezone!r}")
    if problems:
        raise ValidationFailed("; ".join(problems) + ".", code="bad_preferences")
    preference, _ = ContactPreference.objects.update_or_create(
        customer=customer,
        defaults={
            "merchant": actor.merchant,
            "preferred_channel": preferred_channel,
            "opted_out": sorted(set(opted_out or [])),
            "timezone": timezone,
        },
    )
    return preference
