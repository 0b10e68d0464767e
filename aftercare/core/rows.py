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
from functools import cached_property
from typing import Any

from django.db import models
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
