"""`aftercare import orders FILE`: CSV and XLSX through the same upsert as the API."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from aftercare.commerce.models import Customer, Order, OrderLine
from aftercare.commerce.tests.factories import ProductFactory
from aftercare.merchants.models import Merchant, Store

COLUMNS = [
    *("order_number", "store", "customer_id", "customer_name", "phone", "email", "placed_at"),
    *("status", "currency", "line_no", "sku", "quantity", "unit_price", "line_discount"),
    *("order_discount", "shipping_fee", "total", "payment_ref", "payment_method", "paid_at"),
]
SO_1 = {
    "order_number": "SO-1",
    "store": "web",
    "customer_id": "C-1",
    "customer_name": "王小明",
    "phone": "13800138000",
    "placed_at": "2026-03-01 10:00",
    "status": "paid",
    "currency": "CNY",
    "shipping_fee": "10",
    "total": "208.00",
    "payment_ref": "P-1",
    "payment_method": "alipay",
    "paid_at": "2026-03-01 10:01",
}
SO_2 = {
    "order_number": "SO-2",
    "store": "web",
    "customer_id": "C-1",
    "placed_at": "2026-03-02",
    "status": "delivered",
}


def row(order: dict[str, str], **cells: str) -> list[str]:
    values = {**order, **cells}
    return [values.get(column, "") for column in COLUMNS]


ROWS = [
    row(SO_1, line_no="1", sku="TEE", quantity="2", unit_price="49.00"),
    row(SO_1, line_no="2", sku="MUG", quantity="1", unit_price="100.00"),
    row(SO_2, line_no="1", sku="MUG", quantity="1", unit_price="100.00", line_discount="5"),
]


@pytest.fixture
def catalogue(merchant: Merchant, store: Store) -> None:
    ProductFactory(merchant=merchant, sku="TEE", price=Decimal("49.00"))
    ProductFactory(merchant=merchant, sku="MUG", price=Decimal("100.00"))


def write_csv(path: Path, rows: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_csv_import_creates_orders_then_reports_unchanged(tmp_path, catalogue) -> None:
    path = write_csv(tmp_path / "orders.csv", ROWS)

    first = run("orders", str(path))
    second = run("orders", str(path))

    assert "3 rows, 2 orders: 2 created, 0 updated, 0 unchanged, 0 with errors." in first
    assert "2 unchanged" in second
    order = Order.objects.get(external_id="SO-1")
    assert (order.total, order.lines.count(), order.payments.get().amount) == (
        Decimal("208.00"),
        2,
        Decimal("208.00"),
    )
    assert Customer.objects.get().phone == "+8613800138000"
    assert OrderLine.objects.get(order__external_id="SO-2").discount == Decimal("5")


def test_xlsx_import_reads_typed_cells(tmp_path, catalogue) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    cells = {
        **dict.fromkeys(COLUMNS),
        **{"order_number": "SO-9", "store": "web", "customer_id": "C-9", "customer_name": "Ann"},
        **{"phone": 13800138000, "email": "ann@example.com", "placed_at": datetime(2026, 3, 1, 10)},
        **{"status": "paid", "line_no": 1.0, "sku": "TEE", "quantity": 3, "unit_price": 49.0},
        **{"shipping_fee": 0, "total": 147, "payment_ref": "P-9", "payment_method": "card"},
    }
    sheet.append([cells[column] for column in COLUMNS])
    workbook.save(tmp_path / "orders.xlsx")

    out = run("orders", str(tmp_path / "orders.xlsx"))

    assert "1 created" in out
    order = Order.objects.get(external_id="SO-9")
    assert order.customer.phone == "+8613800138000"
    assert order.lines.get().quantity == 3
    assert order.placed_at.isoformat() == "2026-03-01T02:00:00+00:00"  # Asia/Shanghai


def test_bad_rows_are_reported_with_row_numbers_and_exit_non_zero(tmp_path, catalogue) -> None:
    bad = row(SO_2, line_no="1", sku="GHOST", quantity="1", unit_price="100.00")
    path = write_csv(tmp_path / "orders.csv", [*ROWS[:2], bad])
    out = StringIO()

    with pytest.raises(CommandError, match="1 order"):
        call_command("import", "orders", str(path), stdout=out, stderr=StringIO())

    assert "order SO-2, row 4: lines.0.sku: No product 'GHOST'. [unknown_product]" in out.getvalue()
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-1"]


def test_rows_of_one_order_that_disagree_are_refused(tmp_path, catalogue) -> None:
    rows = [ROWS[0], row(SO_1, status="cancelled", line_no="2", sku="MUG", quantity="1")]
    path = write_csv(tmp_path / "orders.csv", rows)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import", "orders", str(path), stdout=out, stderr=StringIO())

    assert "rows 2, 3: status: Rows of this order disagree on status." in out.getvalue()
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "There is no file at"),
        ("orders.txt", "x", "use a .csv or .xlsx file"),
        ("orders.csv", "order_number,store\nSO-1,web\n", "lacks the column(s): customer_id"),
        ("orders.xlsx", "not a zip", "cannot be read as an XLSX workbook"),
    ],
)
def test_unusable_files_fail_with_a_sentence(
    tmp_path, merchant, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("orders", str(path))


def test_several_merchants_need_the_merchant_option(tmp_path, catalogue, other_merchant) -> None:
    path = write_csv(tmp_path / "orders.csv", ROWS)

    with pytest.raises(CommandError, match="several merchants"):
        run("orders", str(path))
    assert "2 created" in run("orders", str(path), "--merchant", "acme")
    with pytest.raises(CommandError, match="No merchant has the slug"):
        run("orders", str(path), "--merchant", "nobody")


def test_import_sends_batches_of_500(tmp_path, merchant, catalogue) -> None:
    one_line = {"line_no": "1", "sku": "MUG", "quantity": "1", "unit_price": "100"}
    rows = [row(SO_2, order_number=f"SO-{n}", **one_line) for n in range(1201)]
    path = write_csv(tmp_path / "orders.csv", rows)
    Customer.objects.create(merchant=merchant, external_id="C-1")

    out = run("orders", str(path))

    assert "1201 created" in out
    assert Order.objects.count() == 1201
