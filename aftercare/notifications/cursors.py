"""Event cursors that do not skip a late commit (ADR 0040 addendum).

A consumer reads events by id above its cursor. On PostgreSQL ids come from a sequence, which
is not transactional: event 11 can commit after event 12 was read and the cursor moved past
it. The consumer's short lag hides most of that; a transaction slower than the lag would still
lose its event. So when a cursor moves, the ids it skipped that have no committed row yet are
kept on the cursor as gaps. Every later run looks the gaps up first: a gap whose row has
arrived is handled like any new event, and one still empty after GAP_PATIENCE is given up (a
rolled-back transaction leaves a gap that never fills).

SQLite serialises writers, so its ids commit in order; gaps there come only from rollbacks and
deletions, and cost one indexed lookup per run until they expire.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models

from aftercare.notifications.models import ConsumerCursor

# Far longer than any transaction the product runs; a gap older than this was a rollback.
GAP_PATIENCE = timedelta(minutes=15)
# A late commit takes an id close to the ones committed around it; of a wide hole (a fresh
# cursor over old history, deleted rows) only the ids nearest the batch are remembered.
MAX_GAPS_PER_MOVE = 1_000
MAX_GAPS = 10_000

E = TypeVar("E", bound=models.Model)


def late_arrivals(
    cursor: ConsumerCursor,
    rows: models.QuerySet[E],
    *,
    now: datetime,
    wanted: Callable[[E], bool] = lambda _: True,
) -> list[E]:
    """The events that committed into the cursor's gaps since its last run, oldest first.

    Every gap that filled is closed, wanted or not, and gaps older than GAP_PATIENCE expire.
    Call it with the cursor locked, in the transaction that handles what it returns."""
    if not cursor.gaps:
        return []
    arrived = list(rows.filter(pk__in=[int(gap) for gap in cursor.gaps]).order_by("pk"))
    filled = {str(event.pk) for event in arrived}
    oldest_kept = (now - GAP_PATIENCE).timestamp()
    kept = {g: seen for g, seen in cursor.gaps.items() if g not in filled and seen >= oldest_kept}
    if len(kept) != len(cursor.gaps):
        cursor.gaps = kept
        cursor.save(update_fields=["gaps", "updated_at"])
    return [event for event in arrived if wanted(event)]


def advance(
    cursor: ConsumerCursor, rows: models.QuerySet[Any], read: list[Any], *, now: datetime
) -> None:
    """Move the cursor past the events just read (oldest first), remembering as gaps the ids
    between that have no committed row. Nothing read: the cursor stays."""
    if not read:
        return
    read_ids = [event.pk for event in read]
    committed = _committed_ids(rows, cursor.last_id, read_ids)
    start, to_id = cursor.last_id, read_ids[-1]
    first = max(start + 1, to_id - MAX_GAPS_PER_MOVE)
    seen = now.timestamp()
    cursor.gaps.update({str(gap): seen for gap in sorted(set(range(first, to_id)) - committed)})
    if len(cursor.gaps) > MAX_GAPS:
        newest = sorted(cursor.gaps, key=int)[-MAX_GAPS:]
        cursor.gaps = {gap: cursor.gaps[gap] for gap in newest}
    cursor.last_id = to_id
    cursor.save(update_fields=["last_id", "gaps", "updated_at"])


def _committed_ids(rows: models.QuerySet[Any], after_id: int, read: list[int]) -> set[int]:
    """Every committed id in (after_id, last read id], of any kind: what is not there is a gap.
    When the ids read already run without a hole from after_id, no query is needed."""
    if read == list(range(after_id + 1, after_id + 1 + len(read))):
        return set(read)
    return set(rows.filter(pk__gt=after_id, pk__lte=read[-1]).values_list("pk", flat=True))
