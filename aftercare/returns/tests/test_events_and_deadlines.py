"""Domain events read with a cursor; business-day deadlines."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aftercare.returns import events
from aftercare.returns.deadlines import add_business_days
from aftercare.returns.tests.helpers import open_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_events_since_reads_in_order_from_a_cursor(
    merchant, china, order, lines, agent_actor
) -> None:
    open_case(agent_actor, order, lines[:1])
    first = list(events.events_since(merchant_id=merchant.pk))
    cursor = first[0].pk

    later = list(events.events_since(merchant_id=merchant.pk, after_id=cursor))
    only = list(events.events_since(kinds=[events.AUTO_APPROVED]))

    assert [e.kind for e in first] == [
        events.CREATED,
        events.AUTO_APPROVED,
        events.INSTRUCTIONS_ISSUED,
    ]
    assert later == first[1:]
    assert [e.kind for e in only] == [events.AUTO_APPROVED]
    assert first[0].data["number"].startswith("RMA-")


def test_business_days_skip_weekends_and_holidays() -> None:
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=SHANGHAI)
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=SHANGHAI)

    assert add_business_days(friday, 1, tz="Asia/Shanghai").date() == date(2026, 3, 9)
    assert add_business_days(friday, 2, tz="Asia/Shanghai").date() == date(2026, 3, 10)
    assert add_business_days(saturday, 1, tz="Asia/Shanghai").date() == date(2026, 3, 9)
    holiday = add_business_days(friday, 1, tz="Asia/Shanghai", holidays={date(2026, 3, 9)})
    assert holiday.date() == date(2026, 3, 10) and holiday.hour == 15
