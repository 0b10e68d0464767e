"""The SLA clock's business-time arithmetic: nights, weekends, holidays, pauses, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import time_machine

from aftercare.tickets.clock import (
    OFFICE_HOURS,
    Calendar,
    add_business_seconds,
    business_seconds_between,
    parse_hours,
)

SH = ZoneInfo("Asia/Shanghai")
OFFICE = Calendar(tz="Asia/Shanghai", hours=OFFICE_HOURS)
HOUR = 3600


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def test_within_one_day() -> None:
    # Monday 2026-11-23 10:00 + 2 h
    assert add_business_seconds(at(2026, 11, 23, 10), 2 * HOUR, OFFICE) == at(2026, 11, 23, 12)


def test_crosses_the_night() -> None:
    # Monday 16:00 + 4 h: 2 h on Monday, 2 h from Tuesday 09:00
    assert add_business_seconds(at(2026, 11, 23, 16), 4 * HOUR, OFFICE) == at(2026, 11, 24, 11)


def test_crosses_the_weekend() -> None:
    # Friday 2026-11-27 16:00 + 8 h: 2 h Friday, 6 h Monday -> Monday 15:00
    assert add_business_seconds(at(2026, 11, 27, 16), 8 * HOUR, OFFICE) == at(2026, 11, 30, 15)


def test_started_at_night_begins_at_the_next_opening() -> None:
    # Tuesday 23:30 + 2 h -> Wednesday 11:00; Saturday noon + 1 h -> Monday 10:00
    assert add_business_seconds(at(2026, 11, 24, 23, 30), 2 * HOUR, OFFICE) == at(2026, 11, 25, 11)
    assert add_business_seconds(at(2026, 11, 28, 12), HOUR, OFFICE) == at(2026, 11, 30, 10)


def test_skips_holidays() -> None:
    # National Day week 2026-10-01..07 closed: Wednesday 2026-09-30 17:00 + 2 h -> Thu 10-08
    holidays = frozenset(date(2026, 10, d) for d in range(1, 8))
    calendar = Calendar(tz="Asia/Shanghai", hours=OFFICE_HOURS, holidays=holidays)
    assert add_business_seconds(at(2026, 9, 30, 17), 2 * HOUR, calendar) == at(2026, 10, 8, 10)


def test_deadline_exactly_at_closing_stays_that_day() -> None:
    assert add_business_seconds(at(2026, 11, 23, 17), HOUR, OFFICE) == at(2026, 11, 23, 18)


def test_between_counts_only_open_time() -> None:
    # Friday 17:00 -> Monday 10:00 is 2 working hours
    assert business_seconds_between(at(2026, 11, 27, 17), at(2026, 11, 30, 10), OFFICE) == 2 * HOUR
    assert business_seconds_between(at(2026, 11, 30, 10), at(2026, 11, 27, 17), OFFICE) == -2 * HOUR


def test_add_and_between_agree() -> None:
    start = at(2026, 11, 26, 15, 17)
    for seconds in (0, 60, 3 * HOUR, 9 * HOUR, 40 * HOUR):
        end = add_business_seconds(start, seconds, OFFICE)
        assert business_seconds_between(start, end, OFFICE) == seconds


def test_daylight_saving_keeps_wall_clock_opening() -> None:
    # Berlin goes to summer time on Sunday 2026-03-29: Monday still opens at 09:00 local.
    berlin = Calendar(tz="Europe/Berlin", hours=OFFICE_HOURS)
    friday = datetime(2026, 3, 27, 17, tzinfo=ZoneInfo("Europe/Berlin"))
    due = add_business_seconds(friday, 2 * HOUR, berlin)
    assert due.astimezone(ZoneInfo("Europe/Berlin")) == datetime(
        2026, 3, 30, 10, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert due.astimezone(UTC).hour == 8


def test_a_calendar_never_open_counts_plain_time() -> None:
    closed = Calendar(tz="UTC", hours=(None,) * 7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert add_business_seconds(start, HOUR, closed) == datetime(2026, 1, 1, 1, tzinfo=UTC)


def test_bad_hours_fall_back_to_office_hours() -> None:
    assert parse_hours([["9:00", "18:00"]] * 7)[0] == (540, 1080)
    assert parse_hours("nonsense") == OFFICE_HOURS
    assert parse_hours([["25:00", "x"]] * 7) == OFFICE_HOURS


def test_with_time_machine_the_clock_of_a_friday_evening_runs_on_monday() -> None:
    with time_machine.travel(at(2026, 11, 27, 20), tick=False):
        now = datetime.now(tz=SH)
        due = add_business_seconds(now, 4 * HOUR, OFFICE)
    assert due == at(2026, 11, 30, 13)
