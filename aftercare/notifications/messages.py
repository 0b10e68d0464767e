"""Queueing notifications: render the template per channel and write outbox rows.

`queue_message()` runs inside the caller's transaction (the consumer's, or an action's): the
Notification rows and their outbox rows commit together or not at all. The dedupe key
(`case-event:<event id>:<channel>` for case events) is unique on both tables, so handling the
same event again writes nothing and sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone, translation

from aftercare.commerce.models import Customer
from aftercare.core.outbox import handler_for, write_outbox
from aftercare.core.outbox_models import OutboxMessage
from aftercare.core.tasks import deliver_outbox, enqueue_on_commit
from aftercare.merchants.models import Merchant
from aftercare.notifications import render
from aftercare.notifications.defaults import TemplateText, template_for
from aftercare.notifications.models import (
    Channel,
    ContactPreference,
    Notification,
    NotificationSettings,
    NotificationStatus,
)
from aftercare.notifications.routing import (
    Route,
    address_for,
    language_of,
    preference_of,
    routes_for,
    settings_of,
    zone_of,
)
from aftercare.returns.models import Case

DELIVER_TOPIC = "notifications.deliver"


class Lookups:
    """What a batch of messages reads again and again (a merchant's settings and wording, a
    customer's preferences, which keys exist), read once per batch instead of per message."""

    def __init__(self) -> None:
        self.settings: dict[int, NotificationSettings] = {}
        self.preferences: dict[int, ContactPreference] = {}
        self.templates: dict[tuple[int, str, str, str], TemplateText] = {}
        self.existing: set[str] | None = None  # None: ask the database per key
        # bulk: rows wait in `pending` for flush_pending() instead of one INSERT each
        self.bulk = False
        self.pending: list[Notification] = []

    def settings_of(self, merchant_id: int) -> NotificationSettings:
        if merchant_id not in self.settings:
            self.settings[merchant_id] = settings_of(merchant_id)
        return self.settings[merchant_id]

    def preference_of(self, customer: Customer) -> ContactPreference:
        if customer.pk not in self.preferences:
            self.preferences[customer.pk] = preference_of(customer)
        return self.preferences[customer.pk]

    def template(self, merchant_id: int, event: str, channel: str, language: str) -> TemplateText:
        key = (merchant_id, event, channel, language)
        if key not in self.templates:
            self.templates[key] = template_for(merchant_id, event, channel, language)
        return self.templates[key]

    def exists(self, key: str) -> bool:
        if self.existing is None:
            return Notification.objects.filter(dedupe_key=key).exists()
        return key in self.existing

    def preload_existing(self, keys: list[str]) -> None:
        """One query for a whole batch's dedupe keys."""
        found: set[str] = set()
        for start in range(0, len(keys), 900):
            found.update(
                Notification.objects.filter(dedupe_key__in=keys[start : start + 900]).values_list(
                    "dedupe_key", flat=True
                )
            )
        self.existing = found


def case_values(case: Case, data: dict[str, Any], settings: NotificationSettings) -> dict[str, Any]:
    """The documented variables (render.VARIABLES) for a message about `case`."""
    merchant = case.merchant
    deadline = ""
    if case.customer_ship_due_at:
        local = case.customer_ship_due_at.astimezone(zone_of(merchant.timezone))
        deadline = local.strftime("%Y-%m-%d %H:%M")
    return {
        "customer_name": case.customer.name or "",
        "shop_name": merchant.name,
        "case_number": case.number,
        "status": status_label(case.status),
        "reason": data.get("reason") or "",
        "message": data.get("message") or "",
        "return_address": case.return_address,
        "return_contact": case.return_contact,
        "rma_number": data.get("rma_number") or case.number,
        "tracking_number": data.get("tracking_number") or data.get("external_order_id") or "",
        "carrier": data.get("carrier") or "",
        "refund_amount": data.get("refund_amount") or data.get("refund_total") or case.refund_total,
        "currency": data.get("currency") or case.currency,
        "deadline": deadline,
        "portal_url": portal_url(case, settings),
        "survey_url": data.get("survey_url") or "",
    }


@lru_cache(maxsize=512)
def _status_label(status: str, language: str | None) -> str:
    return str(dict(Case._meta.get_field("status").flatchoices).get(status, status))


def status_label(status: str) -> str:
    """What get_status_display() says, without rebuilding and translating every choice for
    every message (it was a fifth of the consumer's time)."""
    return _status_label(status, translation.get_language())


def portal_url(case: Case, settings: NotificationSettings) -> str:
    if not settings.public_base_url:
        return ""
    path = reverse("portal_case", args=[case.merchant.slug, case.pk])
    return settings.public_base_url.rstrip("/") + path


def rendered(
    merchant_id: int,
    event: str,
    channel: str,
    language: str,
    values: dict[str, Any],
    lookups: Lookups | None = None,
) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of one message."""
    template = (lookups or Lookups()).template(merchant_id, event, channel, language)
    subject = render.render(template.subject, values) if template.subject else ""
    body = render.render(template.body, values)
    html = ""
    if channel == Channel.EMAIL:
        if template.html_body:
            html = render.render(template.html_body, values, html=True)
        else:
            html = render.html_from_text(body, title=subject)
    return subject, body, html


def queue_message(
    *,
    merchant: Merchant,
    customer: Customer,
    event: str,
    values: dict[str, Any],
    dedupe_base: str,
    case: Case | None = None,
    now: datetime | None = None,
    routes: list[Route] | None = None,
    lookups: Lookups | None = None,
) -> list[Notification]:
    """Render and queue `event` for `customer` on every channel routing picks. Idempotent."""
    now = now or timezone.now()
    lookups = lookups or Lookups()
    settings = lookups.settings_of(merchant.pk)
    if routes is None:
        preference = lookups.preference_of(customer)
        routes = routes_for(
            customer, settings, preference, now=now, merchant_timezone=merchant.timezone
        )
    language = language_of(customer, merchant)
    queued = []
    for route in routes:
        key = f"{dedupe_base}:{route.channel}"
        if lookups.exists(key):
            continue
        subject, body, html = rendered(merchant.pk, event, route.channel, language, values, lookups)
        queued.append(
            _write(
                merchant=merchant,
                customer=customer,
                case=case,
                event=event,
                route=route,
                language=language,
                texts=(subject, body, html),
                key=key,
                now=now,
                lookups=lookups,
            )
        )
    return queued


def _write(
    *,
    merchant: Merchant,
    customer: Customer,
    case: Case | None,
    event: str,
    route: Route,
    language: str,
    texts: tuple[str, str, str],
    key: str,
    now: datetime,
    lookups: Lookups | None = None,
) -> Notification:
    subject, body, html = texts
    portal = route.channel == Channel.PORTAL
    outbox = None
    if lookups is not None and lookups.bulk and not portal:
        # Written with the batch's others in flush_pending(): same rows, fewer statements.
        outbox = OutboxMessage(
            merchant=merchant,
            topic=DELIVER_TOPIC,
            dedupe_key=key,
            payload={"key": key},
            next_attempt_at=route.due_at,
        )
    elif not portal:
        # The outbox row names the notification by its dedupe key, so it can be written
        # first and the notification in one INSERT with its outbox link.
        outbox = write_outbox(
            merchant=merchant,
            topic=DELIVER_TOPIC,
            dedupe_key=key,
            payload={"key": key},
            run_after=route.due_at if route.due_at > now else None,
        )
    notification = Notification(
        merchant=merchant,
        customer=customer,
        case=case,
        event=event,
        channel=route.channel,
        language=language,
        recipient=route.recipient,
        subject=subject[:300],
        body=body,
        html_body=html,
        # The in-portal notice is delivered by being stored: the portal reads these rows.
        status=NotificationStatus.DELIVERED if portal else NotificationStatus.QUEUED,
        provider="portal" if portal else "",
        delivered_at=now if portal else None,
        sent_at=now if portal else None,
        dedupe_key=key,
        due_at=route.due_at,
        outbox=outbox,
    )
    if lookups is not None and lookups.bulk:
        lookups.pending.append(notification)
    else:
        notification.save(force_insert=True)
    return notification


def flush_pending(lookups: Lookups, *, now: datetime) -> int:
    """Write a batch's notifications and outbox rows in a few INSERTs, inside the caller's
    transaction, and enqueue their delivery once it commits: one task for everything due
    now, one per message held for later (quiet hours).

    This is core.outbox.write_outbox() for many rows: the consumer holds the cursor lock and
    preloaded the existing keys, so no other writer can race it for these dedupe keys.
    """
    if not lookups.pending:
        return 0
    if handler_for(DELIVER_TOPIC) is None:
        raise ImproperlyConfigured(f"No outbox handler is registered for {DELIVER_TOPIC!r}.")
    outboxes = [n.outbox for n in lookups.pending if n.outbox is not None]
    OutboxMessage.objects.bulk_create(outboxes, batch_size=500)
    for notification in lookups.pending:
        if notification.outbox is not None:
            notification.outbox_id = notification.outbox.pk
    Notification.objects.bulk_create(lookups.pending, batch_size=500)
    due_now = [m.pk for m in outboxes if m.next_attempt_at <= now]
    if due_now:
        from aftercare.notifications.tasks import deliver_batch

        enqueue_on_commit(deliver_batch, due_now)
    for later in (m for m in outboxes if m.next_attempt_at > now):
        enqueue_on_commit(deliver_outbox, later.pk, run_after=later.next_attempt_at)
    count = len(lookups.pending)
    lookups.pending = []
    return count


def direct_route(customer: Customer, channel: str, now: datetime) -> Route:
    return Route(channel=channel, recipient=address_for(customer, channel), due_at=now)
