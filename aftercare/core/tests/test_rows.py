"""core/rows.py's inserts write what save() and bulk_create() write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aftercare.commerce.models import Product
from aftercare.core.models import AuditEvent
from aftercare.core.rows import insert_rows
from aftercare.merchants.models import Merchant


def _rows(model: Any, *exclude: str) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in row.items() if k not in exclude}
        for row in model.objects.order_by("pk").values()
    ]


def _events(merchant: Merchant, label: str) -> list[AuditEvent]:
    return [
        AuditEvent(
            merchant=merchant,
            subject_type="returns.case",
            subject_id=n,
            kind="case:created",
            actor_label=label,
            reason="客人说尺码不对",
            data={"lines": [n], "amount": "12.50", "note": None},
        )
        for n in range(3)
    ]


def test_rows_inserted_equal_rows_bulk_created(merchant: Merchant) -> None:
    AuditEvent.objects.bulk_create(_events(merchant, "orm"))
    ours = _events(merchant, "ours")

    insert_rows(ours)

    rows = _rows(AuditEvent, "id", "created_at")
    assert [r for r in rows if r["actor_label"] == "ours"] == [
        {**r, "actor_label": "ours"} for r in rows if r["actor_label"] == "orm"
    ]
    assert all(e.created_at is not None and not e._state.adding for e in ours)


def test_ids_come_back_in_order_and_given_ids_are_written(merchant: Merchant) -> None:
    products = [
        Product(merchant=merchant, sku=f"SKU-{n}", name=f"Mug {n}", price=Decimal("9.90"))
        for n in range(3)
    ]
    insert_rows(products, returning_ids=True)

    assert [Product.objects.get(pk=p.pk).sku for p in products] == ["SKU-0", "SKU-1", "SKU-2"]
    assert Product.objects.get(sku="SKU-1").price == Decimal("9.90")

    chosen = max(p.pk for p in products) + 100
    insert_rows([Product(pk=chosen, merchant=merchant, sku="SKU-X", name="Bowl", price=1)])
    assert Product.objects.get(pk=chosen).sku == "SKU-X"


def test_objects_of_two_kinds_are_refused(merchant: Merchant) -> None:
    product = Product(merchant=merchant, sku="S", name="N", price=1)
    with pytest.raises(ValueError, match="one model"):
        insert_rows([product, _events(merchant, "x")[0]])
    assert not Product.objects.exists()
