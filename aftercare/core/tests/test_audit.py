"""Audit rows: who, when, what, why; a timeline is one subject's rows in order, per merchant."""

from __future__ import annotations

from aftercare.core.audit import record_event, timeline_of
from aftercare.core.testing import StoreFactory


def test_record_event_stores_actor_reason_and_data(merchant, agent_actor) -> None:
    store = StoreFactory(merchant=merchant)

    event = record_event(
        actor=agent_actor, subject=store, kind="store:renamed", reason="typo", data={"to": "B"}
    )

    assert event.merchant_id == merchant.pk
    assert (event.subject_type, event.subject_id) == ("merchants.store", store.pk)
    assert event.actor_user_id == agent_actor.user_id and event.actor_label == "agent"
    assert (event.kind, event.reason, event.data) == ("store:renamed", "typo", {"to": "B"})
    assert event.created_at is not None


def test_timeline_is_in_order_and_only_of_that_subject(merchant, system_actor) -> None:
    store, other_store = StoreFactory(merchant=merchant), StoreFactory(merchant=merchant)
    for kind in ("first", "second", "third"):
        record_event(actor=system_actor, subject=store, kind=kind)
    record_event(actor=system_actor, subject=other_store, kind="elsewhere")

    kinds = [e.kind for e in timeline_of(store, merchant_id=merchant.pk)]

    assert kinds == ["first", "second", "third"]


def test_timeline_of_another_merchant_is_empty(merchant, other_merchant, system_actor) -> None:
    store = StoreFactory(merchant=merchant)
    record_event(actor=system_actor, subject=store, kind="created")

    assert not timeline_of(store, merchant_id=other_merchant.pk).exists()
