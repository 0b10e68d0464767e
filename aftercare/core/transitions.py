"""The one way to change a status: lock, check the table, save, write the timeline row.

Apps declare `TRANSITIONS: dict[Status, frozenset[Status]]` in their states.py and call
`transition()` from their actions. Two agents acting at once cannot both succeed: the row is
locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE transaction holds the
database write lock) and the current status is read again under that lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.errors import InvalidTransition

M = TypeVar("M", bound=models.Model)


def transition(
    obj: M,
    *,
    to: str,
    table: Mapping[Any, frozenset[Any]],
    actor: Actor,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    field: str = "status",
) -> M:
    """Move `obj` to status `to` if the table allows it; return the saved, locked copy."""
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, field)
        if to not in table.get(current, frozenset()):
            raise InvalidTransition(
                f"Cannot go from {current!r} to {to!r}.",
                extra={"from": str(current), "to": str(to)},
            )
        setattr(locked, field, to)
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        update_fields = [field, *(changes or {})]
        if any(f.name == "updated_at" for f in model._meta.fields):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        record_event(
            actor=actor,
            subject=locked,
            kind=f"status:{to}",
            reason=reason,
            data={"from": str(current), "to": str(to), **(data or {})},
        )
    return locked
