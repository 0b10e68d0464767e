"""Turning domain events into notifications (docs/adr/0011, ADR 0040).

Returns' CaseEvent rows (and refunds' RefundEvent rows) are read with a cursor kept in
ConsumerCursor. One run locks the cursor row, reads the next batch, queues the messages and
moves the cursor, all in one transaction: either the whole batch is queued and the cursor
moved, or neither. Re-reading an event (a crash before commit, a cursor reset) writes nothing
new, because every message's dedupe key names the event and the channel.

On PostgreSQL an id can commit after a larger one (sequences are not transactional), so the
consumer leaves the last LAG of events for the next run; SQLite serialises writers, so ids
commit in order and no lag is needed. A commit later than the lag lands in a gap the cursor
remembers and is handled on the next run (cursors.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from aftercare.notifications.cursors import advance, late_arrivals
from aftercare.notifications.messages import Lookups, case_values, flush_pending, queue_message
from aftercare.notifications.models import Channel, ConsumerCursor, EventKey
from aftercare.notifications.routing import settings_of
from aftercare.returns import events as case_events
from aftercare.returns.models import Case, CaseEvent

MONEY_KINDS = frozenset({"refund", "partial_refund", "shipping_waiver"})
CASE_CURSOR = "notifications.case-events"
REFUND_CURSOR = "notifications.refund-events"
BATCH = 500
E = TypeVar("E")

# Which template each case event sends. Approval is always followed, in the same
# transaction, by return instructions or the refund step, whose messages say it.
EVENT_TEMPLATES: dict[str, str] = {
    case_events.CREATED: EventKey.SUBMITTED,
    case_events.INSTRUCTIONS_ISSUED: EventKey.APPROVED,
    case_events.REJECTED: EventKey.REJECTED,
    case_events.INFO_REQUESTED: EventKey.INFO_REQUESTED,
    case_events.RECEIVED: EventKey.PARCEL_RECEIVED,
    case_events.INSPECTION_STARTED: EventKey.INSPECTING,
    case_events.INSPECTION_FAILED: EventKey.INSPECTION_FAILED,
    case_events.REFUND_POINT_REACHED: EventKey.REFUND_PROCESSING,
    case_events.REFUNDED: EventKey.REFUNDED,
    case_events.EXCHANGED: EventKey.EXCHANGE_SHIPPED,
    case_events.CLOSED: EventKey.CLOSED,
    case_events.CANCELLED: EventKey.CANCELLED,
}


POSTGRES_LAG = timedelta(seconds=2)


def default_lag() -> timedelta:
    return POSTGRES_LAG if connection.vendor == "postgresql" else timedelta(0)


def settled(events: Iterable[E], horizon: datetime) -> list[E]:
    """The events up to (not including) the first one newer than `horizon`, in id order."""
    kept = []
    for event in events:
        if event.created_at > horizon:  # type: ignore[attr-defined]
            break
        kept.append(event)
    return kept


def lock_cursor(name: str) -> ConsumerCursor:
    ConsumerCursor.objects.get_or_create(name=name)
    return ConsumerCursor.objects.select_for_update().get(name=name)


def consume_case_events(
    *, limit: int = BATCH, now: datetime | None = None, lag: timedelta | None = None
) -> int:
    """Queue the messages of the next batch of case events; returns how many were read."""
    now = now or timezone.now()
    horizon = now - (default_lag() if lag is None else lag)
    related = ("case", "case__customer", "case__merchant")
    with transaction.atomic():
        cursor = lock_cursor(CASE_CURSOR)
        late = late_arrivals(
            cursor,
            CaseEvent.objects.select_related(*related),
            now=now,
            wanted=lambda event: event.kind in EVENT_TEMPLATES,
        )
        fresh = settled(
            case_events.events_since(
                after_id=cursor.last_id, kinds=list(EVENT_TEMPLATES), limit=limit
            ).select_related(*related),
            horizon,
        )
        batch = late + fresh
        lookups = Lookups()
        lookups.bulk = True
        lookups.preload_existing(
            [f"case-event:{e.pk}:{channel}" for e in batch for channel in Channel.values]
        )
        for event in batch:
            handle_case_event(event, now=now, lookups=lookups)
        flush_pending(lookups, now=now)
        advance(cursor, CaseEvent.objects.all(), fresh, now=now)
    return len(batch)


def handle_case_event(event: CaseEvent, *, now: datetime, lookups: Lookups | None = None) -> None:
    case = event.case
    if event.kind == case_events.CLOSED:
        from aftercare.notifications.surveys import schedule_survey

        schedule_survey(case, event=event, now=now)
    template = EVENT_TEMPLATES.get(event.kind)
    if template is None:
        return
    if event.kind == case_events.REFUNDED and _refunds_app_paid(case):
        return  # the refunds app's own event says it, with the exact amount
    lookups = lookups or Lookups()
    settings = lookups.settings_of(case.merchant_id)
    queue_message(
        merchant=case.merchant,
        customer=case.customer,
        case=case,
        event=template,
        values=case_values(case, dict(event.data or {}), settings),
        dedupe_base=f"case-event:{event.pk}",
        now=now,
        lookups=lookups,
    )


# --- Refund events (the refunds app, when installed) -------------------------------------


def _refunds_app_paid(case: Case) -> bool:
    try:
        from aftercare.refunds.models import RefundEvent
    except ImportError:  # pragma: no cover - the refunds app is part of the product
        return False
    return RefundEvent.objects.filter(case_id=case.pk, kind="refund.succeeded").exists()


def consume_refund_events(*, limit: int = BATCH, now: datetime | None = None) -> int:
    """`refund.succeeded` becomes the "refunded" message with the amount actually paid."""
    try:
        from aftercare.refunds import events as refund_events
        from aftercare.refunds.models import RefundEvent
    except ImportError:  # pragma: no cover
        return 0
    now = now or timezone.now()
    events = RefundEvent.objects
    with transaction.atomic():
        cursor = lock_cursor(REFUND_CURSOR)
        late = late_arrivals(
            cursor, events.all(), now=now, wanted=lambda e: e.kind == refund_events.SUCCEEDED
        )
        fresh = settled(
            refund_events.events_since(
                after_id=cursor.last_id, kinds=[refund_events.SUCCEEDED], limit=limit
            ),
            now - default_lag(),
        )
        for event in late + fresh:
            _handle_refund_event(event.pk, dict(event.data or {}), event.case_id, now=now)
        advance(cursor, events.all(), fresh, now=now)
    return len(late) + len(fresh)


def _handle_refund_event(
    event_id: int, data: dict[str, Any], case_id: int | None, *, now: datetime
) -> None:
    if case_id is None or data.get("kind") not in MONEY_KINDS:
        # A goodwill refund without a case, or a coupon/credit: not "refunded" wording.
        return
    case = Case.objects.select_related("customer", "merchant").get(pk=case_id)
    values = case_values(
        case,
        {"refund_amount": data.get("amount"), "currency": data.get("currency")},
        settings_of(case.merchant_id),
    )
    queue_message(
        merchant=case.merchant,
        customer=case.customer,
        case=case,
        event=EventKey.REFUNDED,
        values=values,
        dedupe_base=f"refund-event:{event_id}",
        now=now,
    )


# --- Deadline reminders -------------------------------------------------------------------

REMIND_BEFORE = timedelta(hours=24)


def queue_deadline_reminders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Remind customers whose return must be sent within REMIND_BEFORE; once per deadline."""
    from aftercare.returns.states import CaseStatus

    now = now or timezone.now()
    due = Case.objects.filter(
        status=CaseStatus.AWAITING_RETURN_SHIPMENT,
        customer_ship_due_at__gt=now,
        customer_ship_due_at__lte=now + REMIND_BEFORE,
    ).select_related("customer", "merchant")[:limit]
    count = 0
    for case in due:
        assert case.customer_ship_due_at is not None
        with transaction.atomic():
            queued = queue_message(
                merchant=case.merchant,
                customer=case.customer,
                case=case,
                event=EventKey.DEADLINE_APPROACHING,
                values=case_values(case, {}, settings_of(case.merchant_id)),
                dedupe_base=f"deadline:{case.pk}:{case.customer_ship_due_at:%Y%m%d%H%M}",
                now=now,
            )
        count += len(queued)
    return count
