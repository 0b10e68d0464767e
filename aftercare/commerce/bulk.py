"""Batch plumbing shared by the upsert actions: per-record outcomes, parsing, planning, writing.

A batch costs a constant number of queries per table: existing rows are fetched with one
`IN (...)` query, and new and changed rows are written with one INSERT ... ON CONFLICT DO UPDATE
(works on SQLite and PostgreSQL, and also absorbs a concurrent batch inserting the same key).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import pydantic
from django.db import connection, models
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.audit import subject_label
from aftercare.core.models import AuditEvent

S = TypeVar("S", bound=pydantic.BaseModel)
M = TypeVar("M", bound=models.Model)

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass
class Outcome:
    """What happened to one record of a batch, reported back in input order."""

    index: int
    external_id: str | None
    result: str = ERROR
    id: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, field_name: str, code: str, message: str) -> None:
        self.errors.append({"field": field_name, "code": code, "message": message})

    def done(self, result: str, pk: int | None) -> None:
        self.result, self.id = result, pk


@dataclass
class BatchResult:
    outcomes: list[Outcome]

    def count(self, result: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)

    def as_dict(self) -> dict[str, Any]:
        return {
            CREATED: self.count(CREATED),
            UPDATED: self.count(UPDATED),
            UNCHANGED: self.count(UNCHANGED),
            "errors": self.count(ERROR),
            "results": [vars(outcome) for outcome in self.outcomes],
        }


@dataclass
class Parsed(Generic[S]):
    outcome: Outcome
    item: S | None


def parse_records(records: Sequence[Any], schema: type[S], key: str) -> list[Parsed[S]]:
    """Validate each record on its own; reject every copy of a key sent twice in the batch."""
    parsed: list[Parsed[S]] = []
    for index, raw in enumerate(records):
        key_value = raw.get(key) if isinstance(raw, dict) else None
        outcome = Outcome(
            index=index, external_id=key_value if isinstance(key_value, str) else None
        )
        item = None
        try:
            item = schema.model_validate(raw)
        except pydantic.ValidationError as error:
            outcome.errors.extend(pydantic_errors(error))
        parsed.append(Parsed(outcome, item))
    _reject_duplicates(parsed, key)
    return parsed


def _reject_duplicates(parsed: list[Parsed[S]], key: str) -> None:
    # Neither copy wins: the batch does not say which one is right, so both are refused.
    counts = Counter(p.outcome.external_id for p in parsed if p.outcome.external_id)
    for p in parsed:
        if p.outcome.external_id and counts[p.outcome.external_id] > 1:
            p.outcome.fail(
                key, "duplicate_in_batch", f"{key} appears more than once in this batch."
            )


def valid(parsed: list[Parsed[S]]) -> list[tuple[Outcome, S]]:
    return [(p.outcome, p.item) for p in parsed if p.item is not None and p.outcome.ok]


def pydantic_errors(error: pydantic.ValidationError, prefix: str = "") -> list[dict[str, str]]:
    found = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"])
        found.append(
            {
                "field": prefix + location if location else prefix.rstrip(".") or "record",
                "code": detail["type"],
                "message": detail["msg"],
            }
        )
    return found


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """Enum members as their stored values, so comparisons and inserts see plain strings."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


def aware(moment: datetime | None, zone: str) -> datetime | None:
    """Read a timestamp without an offset in the merchant's time zone, as its staff would."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, ZoneInfo(zone))


def changed_fields(row: models.Model, values: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in values.items() if getattr(row, name) != value)


def fresh_copy(row: M, values: dict[str, Any], fields: Iterable[str]) -> M:
    """An unsaved copy of `row` with `values` applied, for the one upsert statement.

    It has no pk so that new and changed rows go out in the same INSERT ... ON CONFLICT.
    """
    data = {name: getattr(row, name) for name in fields}
    data.update(values)
    return type(row)(merchant_id=row.merchant_id, **data)  # type: ignore[attr-defined]


def plan_row(
    model: type[M],
    *,
    merchant_id: int,
    values: dict[str, Any],
    existing: M | None,
    fields: Iterable[str],
) -> tuple[str, M | None, list[str]]:
    """Decide created/updated/unchanged for one row; return the row to write, if any.

    `values` holds the key and the fields the sender gave; for a new row, model defaults fill
    the rest, and for an existing one the omitted fields keep their stored values.
    """
    if existing is None:
        return CREATED, model(merchant_id=merchant_id, **values), []
    changed = changed_fields(existing, values)
    if not changed:
        return UNCHANGED, None, []
    return UPDATED, fresh_copy(existing, values, fields), changed


def upsert_rows(
    model: type[M], rows: list[M], *, unique_fields: list[str], update_fields: list[str]
) -> None:
    """Insert or update `rows` in one statement; sets each row's pk."""
    if not rows:
        return
    _lift_sqlite_variable_limit()
    model._default_manager.bulk_create(
        rows, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
    )


def _lift_sqlite_variable_limit() -> None:
    # Django 5.2 assumes SQLite's old compile-time default of 999 bound variables and splits a
    # bulk insert into many small statements; SQLite >= 3.32 allows 32766 and reports its real
    # limit, so a batch goes out in one statement per table, as on PostgreSQL.
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = limit


def write_audit(actor: Actor, entries: list[tuple[models.Model, str, dict[str, Any]]]) -> None:
    """One audit row per created or updated record, written in one statement."""
    if not entries:
        return
    _lift_sqlite_variable_limit()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                merchant_id=actor.merchant_id,
                subject_type=subject_label(row),
                subject_id=row.pk,
                kind=kind,
                actor_user_id=actor.user_id,
                actor_label=actor.label,
                data=data,
            )
            for row, kind, data in entries
        ]
    )
