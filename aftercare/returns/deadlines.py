"""Stage deadlines (R7): review, customer shipping, inspection, refund.

The review deadline comes from the policy (`review_business_days`, 1-2) and counts business
days where the merchant is: weekends and the return desk's holidays are skipped, and the
deadline falls at the same time of day on the last business day. The other stages use the
durations below, shorter for VIP customers; they are stored on the case when the stage
starts, so a later change of these numbers never moves a running clock.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from aftercare.returns.states import DEADLINE_FIELD, STAGE_OF_STATUS, CaseStatus

# Calendar days for the customer to hand the parcel over; business days for the warehouse
# to inspect and for the money to go out, by customer tier.
CUSTOMER_SHIP_DAYS = 7
INSPECTION_BUSINESS_DAYS = {"vip": 1, "potential": 2, "normal": 2}
REFUND_BUSINESS_DAYS = {"vip": 1, "potential": 1, "normal": 2}


def add_business_days(
    start: datetime, days: int, *, tz: str, holidays: Collection[date] = ()
) -> datetime:
    """`start` plus `days` business days in time zone `tz` (weekends and holidays skipped).

    Each step moves to the next calendar day that is a business day, keeping the clock time:
    a request on Friday 15:00 with one business day is due Monday 15:00; on Saturday 10:00,
    Monday 10:00.
    """
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    moved = 0
    while moved < days:
        local = local + timedelta(days=1)
        if local.weekday() < 5 and local.date() not in holidays:
            moved += 1
    return local.astimezone(start.tzinfo or zone)


def parse_holidays(values: Any) -> frozenset[date]:
    out = set()
    for value in values or ():
        try:
            out.add(date.fromisoformat(str(value)))
        except ValueError:
            continue  # a bad entry in the admin must not stop cases being created
    return frozenset(out)


def review_due(
    start: datetime, business_days: int, *, tz: str, holidays: Collection[date]
) -> datetime:
    return add_business_days(start, business_days, tz=tz, holidays=holidays)


def customer_ship_due(start: datetime) -> datetime:
    return start + timedelta(days=CUSTOMER_SHIP_DAYS)


def inspection_due(
    start: datetime, tier: str, *, tz: str, holidays: Collection[date] = ()
) -> datetime:
    days = INSPECTION_BUSINESS_DAYS.get(tier, INSPECTION_BUSINESS_DAYS["normal"])
    return add_business_days(start, days, tz=tz, holidays=holidays)


def refund_due(start: datetime, tier: str, *, tz: str, holidays: Collection[date] = ()) -> datetime:
    days = REFUND_BUSINESS_DAYS.get(tier, REFUND_BUSINESS_DAYS["normal"])
    return add_business_days(start, days, tz=tz, holidays=holidays)


def stage_clock(case: Any, now: datetime | None = None) -> dict[str, Any] | None:
    """The running stage clock of a case, or None when no stage clock runs in its status."""
    stage = STAGE_OF_STATUS.get(CaseStatus(case.status))
    if stage is None:
        return None
    due_at: datetime | None = getattr(case, DEADLINE_FIELD[stage])
    now = now or timezone.now()
    remaining = int((due_at - now).total_seconds()) if due_at else None
    return {
        "stage": str(stage),
        "started_at": case.stage_started_at,
        "due_at": due_at,
        "remaining_seconds": remaining,
        "overdue": remaining is not None and remaining < 0,
    }


def overdue_filter(now: datetime) -> Any:
    """A Q matching cases whose running stage is past its deadline."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for status, stage in STAGE_OF_STATUS.items():
        query |= Q(status=status, **{f"{DEADLINE_FIELD[stage]}__lt": now})
    return query
