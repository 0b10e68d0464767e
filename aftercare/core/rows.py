"""Hand-written SELECTs on the hot paths that still hand back model instances (ADR 0071).

Case creation reads the order (with its customer, store and a dozen subqueries) and the
order's lines (with products and six subqueries) on every request. Built as querysets, Django
spent more CPU composing and compiling those two statements than PostgreSQL spent running
them. Here the statement is written once per process and database vendor; each row is turned
into instances with `Model.from_db()` after the same converters the ORM applies (SQLite returns
decimals, datetimes and JSON as text), so callers get what the queryset gave them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _converters(expression: Any, connection: BaseDatabaseWrapper) -> list[Converter]:
    # The order Django's SQLCompiler.get_converters() uses: the backend's, then the field's.
    return connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)


def _cached_converters(
    owner: Any, expressions: Sequence[Any], connection: BaseDatabaseWrapper
) -> list[list[Converter]]:
    """Converters per expression, worked out once per owner and database connection alias."""
    cache: dict[str, list[list[Converter]]] = owner.__dict__.setdefault("_converters_by", {})
    if connection.alias not in cache:
        cache[connection.alias] = [_converters(e, connection) for e in expressions]
    return cache[connection.alias]


def _convert(value: Any, expression: Any, converters: list[Converter], connection: Any) -> Any:
    for convert in converters:
        value = convert(value, expression, connection)
    return value


@dataclass(frozen=True)
class ModelColumns:
    """Every concrete column of `model`, as `"table"."column"`, and the way back to an instance."""

    model: type[models.Model]
    fields: tuple[models.Field[Any, Any], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.model._meta.concrete_fields))

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @cached_property
    def sql(self) -> str:
        return ", ".join(f'"{self.table}"."{f.column}"' for f in self.fields)

    @cached_property
    def _columns(self) -> list[Any]:
        return [f.get_col(self.table) for f in self.fields]

    def build(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> models.Model:
        converted = [
            _convert(value, col, convs, connection)
            for value, col, convs in zip(
                values, self._columns, self._converters(connection), strict=True
            )
        ]
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], converted)

    def _converters(self, connection: BaseDatabaseWrapper) -> list[list[Converter]]:
        return _cached_converters(self, self._columns, connection)

    def __len__(self) -> int:
        return len(self.fields)


@dataclass(frozen=True)
class Annotations:
    """Named SQL expressions in a SELECT list, with the output field that converts each."""

    expressions: dict[str, RawSQL]

    @cached_property
    def sql(self) -> str:
        return ", ".join(f'({e.sql}) AS "{name}"' for name, e in self.expressions.items())

    @cached_property
    def constant_params(self) -> list[Any]:
        return [p for e in self.expressions.values() for p in e.params]

    def apply(
        self, instance: models.Model, values: Sequence[Any], connection: BaseDatabaseWrapper
    ) -> None:
        expressions = list(self.expressions.values())
        converters = _cached_converters(self, expressions, connection)
        for name, expression, convs, value in zip(
            self.expressions, expressions, converters, values, strict=True
        ):
            setattr(instance, name, _convert(value, expression, convs, connection))

    def __len__(self) -> int:
        return len(self.expressions)


def split_row(row: Sequence[Any], *parts: ModelColumns | Annotations) -> list[Sequence[Any]]:
    """A row of `SELECT part1, part2, ...` cut into each part's values, in order."""
    pieces, at = [], 0
    for part in parts:
        pieces.append(row[at : at + len(part)])
        at += len(part)
    return pieces


# --- Inserts ---------------------------------------------------------------------------------


def insert_rows(objs: Sequence[models.Model], *, returning_ids: bool = False) -> None:
    """INSERT `objs` (all of one model) in one statement, as save(force_insert=True) or
    bulk_create() would write them: pre_save() fills auto_now fields, get_db_prep_save()
    adapts each value, and an id given in advance is written. With `returning_ids`, ids the
    database assigns are set on the objects. No signals are sent (the project uses none).

    The statement's text depends only on the model and the number of rows, so PostgreSQL
    prepares it once per connection (ADR 0071)."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    with_pk = objs[0].pk is not None
    fields = [f for f in opts.local_concrete_fields if not getattr(f, "generated", False)]
    if not with_pk:
        fields = [f for f in fields if f is not opts.pk]
    connection = connections[router.db_for_write(model)]
    if returning_ids and not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs)  # an SQLite before 3.35 (no RETURNING)
        return
    params: list[Any] = []
    for obj in objs:
        if obj._meta.model is not model or (obj.pk is not None) != with_pk:
            raise ValueError(
                "insert_rows() takes objects of one model, all with or all without ids"
            )
        params.extend(
            f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields
        )
    sql = _insert_sql(opts.db_table, tuple(f.column for f in fields), len(objs))
    pk_column = opts.pk.column
    with connection.cursor() as cursor:
        if returning_ids and not with_pk:
            cursor.execute(f'{sql} RETURNING "{pk_column}"', params)
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        else:
            cursor.execute(sql, params)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * rows)
