"""Business-time arithmetic for SLA clocks: pure functions, no database.

A `Calendar` says when the desk works (opening hours per weekday in the merchant's time zone,
and holidays). `add_business_seconds` moves a start time forward by that much *working* time:
8 business hours from Friday 16:00 with a 09:00-18:00 week is Monday 15:00 (2 h on Friday,
6 h on Monday). `business_seconds_between` measures working time between two instants (what
is left of a clock when it pauses).

Arithmetic happens in UTC; opening and closing times are wall-clock times of the calendar's
zone, so a daylight-saving change moves them the way a clock on the office wall would.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# Opening hours of one weekday as minutes after local midnight: (540, 1080) is 09:00-18:00.
DayHours = tuple[int, int] | None
ALWAYS_OPEN: tuple[DayHours, ...] = ((0, 1440),) * 7
OFFICE_HOURS: tuple[DayHours, ...] = ((540, 1080),) * 5 + (None, None)
# A clock never looks further ahead than this for working time (a calendar of all holidays).
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    tz: str = "UTC"
    hours: tuple[DayHours, ...] = ALWAYS_OPEN
    holidays: frozenset[date] = frozenset()

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening and closing instants in UTC, or None when closed."""
        if day in self.holidays:
            return None
        hours = self.hours[day.weekday()]
        if hours is None or hours[1] <= hours[0]:
            return None
        midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(self.tz))
        return _at(midnight, hours[0]), _at(midnight, hours[1])

    @property
    def ever_open(self) -> bool:
        return any(h is not None and h[1] > h[0] for h in self.hours)


def _at(midnight: datetime, minutes: int) -> datetime:
    # Wall-clock addition in the zone (then UTC), so 09:00 stays 09:00 across DST changes.
    if minutes >= 1440:
        next_day = midnight.date() + timedelta(days=1)
        return datetime.combine(next_day, time(0), tzinfo=midnight.tzinfo).astimezone(UTC)
    local = midnight.replace(hour=minutes // 60, minute=minutes % 60)
    return local.astimezone(UTC)


def _windows_from(start: datetime, calendar: Calendar) -> Iterator[tuple[datetime, datetime]]:
    day = start.astimezone(ZoneInfo(calendar.tz)).date()
    for offset in range(MAX_DAYS):
        window = calendar.window(day + timedelta(days=offset))
        if window is not None:
            yield window


def add_business_seconds(start: datetime, seconds: int, calendar: Calendar) -> datetime:
    """The instant when `seconds` of working time after `start` have passed.

    A clock started outside opening hours begins at the next opening. A calendar that is
    never open (a misconfiguration) counts plain time, so no deadline is lost.
    """
    if not calendar.ever_open:
        return start + timedelta(seconds=seconds)
    remaining = max(0, seconds)
    utc_start = start.astimezone(UTC)
    for opens, closes in _windows_from(utc_start, calendar):
        begin = max(opens, utc_start)
        if begin >= closes:
            continue
        available = (closes - begin).total_seconds()
        if remaining <= available:
            return (begin + timedelta(seconds=remaining)).astimezone(start.tzinfo)
        remaining -= int(available)
    return start + timedelta(seconds=seconds)


def business_seconds_between(start: datetime, end: datetime, calendar: Calendar) -> int:
    """Working seconds from `start` to `end` (negative when `end` is earlier)."""
    if end < start:
        return -business_seconds_between(end, start, calendar)
    if not calendar.ever_open:
        return int((end - start).total_seconds())
    utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)
    total = 0.0
    for opens, closes in _windows_from(utc_start, calendar):
        if opens >= utc_end:
            break
        overlap = (min(closes, utc_end) - max(opens, utc_start)).total_seconds()
        total += max(0.0, overlap)
    return int(total)


def parse_hours(values: Any) -> tuple[DayHours, ...]:
    """Seven ["HH:MM", "HH:MM"] pairs (or null) from the admin; anything unreadable means
    office hours, so a typo never stops the clocks."""
    if not isinstance(values, list | tuple) or len(values) != 7:
        return OFFICE_HOURS
    try:
        return tuple(_parse_day(value) for value in values)
    except (TypeError, ValueError):
        return OFFICE_HOURS


def _parse_day(value: Any) -> DayHours:
    if not value:
        return None
    opens, closes = value
    return _minutes(opens), _minutes(closes)


def _minutes(text: str) -> int:
    hours, minutes = str(text).split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 1440:
        raise ValueError(text)
    return value


def parse_holidays(values: Iterable[Any] | None) -> frozenset[date]:
    out = set()
    for value in values or ():
        try:
            out.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(out)
