"""Batch plumbing shared by the upsert actions: per-record outcomes, parsing, planning, writing.

A batch costs a constant number of queries per table: existing rows are fetched with one
`IN (...)` query, and new and changed rows are written with one INSERT ... ON CONFLICT DO UPDATE
(works on SQLite and PostgreSQL, and also absorbs a concurrent batch inserting the same key).
See `write_rows` for how that statement is built and why it does not use bulk_create.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import partial
from operator import itemgetter
from typing import Any, Generic, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import pydantic
from django.db import NotSupportedError, connection, models
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.models import AuditEvent

S = TypeVar("S", bound=pydantic.BaseModel)

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


def plan_row(
    model: type[models.Model],
    *,
    values: dict[str, Any],
    existing: models.Model | None,
    fields: Sequence[str],
) -> tuple[str, dict[str, Any] | None, list[str]]:
    """Decide created/updated/unchanged for one row; return the full row to write, if any.

    `values` holds the key and the fields the sender gave; for a new row, model defaults fill
    the rest, and for an existing one the omitted fields keep their stored values. The row to
    write covers every one of `fields`, so new and changed rows share one upsert statement.
    """
    if existing is None:
        missing = (name for name in fields if name not in values)
        return CREATED, {name: concrete(model, name).get_default() for name in missing} | values, []
    changed = changed_fields(existing, values)
    if not changed:
        return UNCHANGED, None, []
    return UPDATED, {name: getattr(existing, name) for name in fields} | values, changed


# --- The write path ---------------------------------------------------------------------------
# bulk_create costs more than the rest of a batch: it builds a Model per row and prepares every
# value field by field, and psycopg then quotes each array element in Python. Here a batch goes
# out as one JSON document, which json.dumps and the database both handle in C, unpacked by
# jsonb_array_elements (PostgreSQL) or json_each (SQLite's JSON1, which JSONField needs anyway)
# inside one INSERT ... SELECT ... ON CONFLICT statement, built once per table and column set.


@dataclass(frozen=True)
class _Statement:
    sql: str
    constant_fields: tuple[models.Field[Any, Any], ...]
    # Per-column conversions this backend needs before JSON encoding, as (position, function).
    preps: tuple[tuple[int, Callable[[Any], Any]], ...]


_statements: dict[tuple[Any, ...], _Statement] = {}


def write_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    constants: dict[str, Any],
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT `rows` (each giving `fields`) in one statement; upsert on `conflict` if given.

    `constants` are the same for every row (e.g. merchant_id). Model fields given neither way
    get their default, auto_now(_add) ones the current time, as Model.save() would give them.
    Returns the `returning` fields of each written row, in no particular order.
    """
    if not rows:
        return []
    key = (connection.vendor, model, *map(tuple, (fields, constants, conflict, update, returning)))
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = _build(model, fields, constants, conflict, update, returning)
    values = [
        field.get_db_prep_save(_constant(field, constants), connection)
        for field in statement.constant_fields
    ]
    pick = itemgetter(*fields)
    tuples: list[Any] = (
        [pick(row) for row in rows] if len(fields) > 1 else [[pick(row)] for row in rows]
    )
    if statement.preps:
        tuples = [list(row) for row in tuples]
        for row in tuples:
            for position, prep in statement.preps:
                row[position] = prep(row[position])
    payload = json.dumps(tuples, default=_json_value, separators=(",", ":"))
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [*values, payload])
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def _constant(field: models.Field[Any, Any], constants: dict[str, Any]) -> Any:
    if field.attname in constants:
        return constants[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()


def _build(
    model: type[models.Model],
    names: Sequence[str],
    constants: dict[str, Any],
    conflict: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str],
) -> _Statement:
    meta, quote = model._meta, connection.ops.quote_name
    fields = [concrete(model, name) for name in names]
    given = {field.attname for field in fields}
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in given]
    unknown = set(constants) - {f.attname for f in rest}
    assert not unknown, f"constants {unknown} are not other fields of {meta.label}"
    postgres = connection.vendor == "postgresql"
    if postgres:
        exprs = [f"CAST(%s AS {f.cast_db_type(connection)})" for f in rest]
        exprs += [
            f"(r.v->{i})"
            if f.get_internal_type() == "JSONField"
            # ->> gives the element as text, which the cast reads as the column's type.
            else f"CAST(r.v->>{i} AS {f.cast_db_type(connection)})"
            for i, f in enumerate(fields)
        ]
        source = "jsonb_array_elements(%s::jsonb) AS r(v)"
        preps: list[tuple[int, Callable[[Any], Any]]] = []
    else:
        if returning and not connection.features.can_return_rows_from_bulk_insert:
            raise NotSupportedError("Bulk upserts need SQLite 3.35 or newer (RETURNING).")
        exprs = ["%s"] * len(rest) + [
            f"json_extract(r.value, '$[{i}]')" for i in range(len(fields))
        ]
        # WHERE true: without it SQLite would read ON CONFLICT as a join constraint.
        source = "json_each(%s) AS r WHERE true"
        # SQLite keeps datetimes and JSON as text in Django's own format: let the field write it.
        preps = [
            (i, partial(f.get_db_prep_save, connection=connection))
            for i, f in enumerate(fields)
            if f.get_internal_type() in ("DateTimeField", "DateField", "TimeField", "JSONField")
        ]

    def columns(names: Sequence[str], template: str = "{}") -> str:
        quoted = (quote(str(concrete(model, name).column)) for name in names)
        return ", ".join(template.format(column) for column in quoted)

    targets = [f.attname for f in [*rest, *fields]]
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns(targets)}) "
    sql += f"SELECT {', '.join(exprs)} FROM {source}"
    if conflict:
        action = f"UPDATE SET {columns(update, '{0} = EXCLUDED.{0}')}" if update else "NOTHING"
        sql += f" ON CONFLICT ({columns(conflict)}) DO {action}"
    if returning:
        sql += f" RETURNING {columns(returning)}"
    return _Statement(sql, tuple(rest), tuple(preps))


def concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model field called `name` (or with that attname, e.g. order_id) that has a column."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.concrete, f"{name} has no column"
    return field


def _json_value(value: Any) -> Any:
    # Decimals as strings so no digit is lost; the database reads both back into its own type.
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be written by write_rows")


def write_audit(actor: Actor, entries: list[tuple[type[models.Model], int, str, Any]]) -> None:
    """One audit row per created or updated record, as (model, pk, kind, data), in one statement."""
    # label_lower is "app_label.model_name", what core.audit.subject_label records too.
    rows = [
        {"subject_type": model._meta.label_lower, "subject_id": pk, "kind": kind, "data": data}
        for model, pk, kind, data in entries
    ]
    constants: dict[str, Any] = {"merchant_id": actor.merchant_id, "actor_label": actor.label}
    constants["actor_user_id"] = actor.user_id
    write_rows(
        AuditEvent, ["subject_type", "subject_id", "kind", "data"], rows, constants=constants
    )
