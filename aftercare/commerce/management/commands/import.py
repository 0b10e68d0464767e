"""`aftercare import orders FILE.csv|FILE.xlsx`: load orders through the same upsert as the API."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from aftercare.commerce.actions import upsert_orders
from aftercare.commerce.bulk import ERROR, Outcome
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant

BATCH = 500
REQUIRED = ["order_number", "store", "customer_id", "placed_at", "status"]
REQUIRED += ["line_no", "sku", "quantity", "unit_price"]
OPTIONAL = ["customer_name", "phone", "email", "currency", "line_discount", "order_discount"]
OPTIONAL += ["shipping_fee", "total", "payment_ref", "payment_method", "paid_at"]
LINE_COLUMNS = {"line_no", "sku", "quantity", "unit_price", "line_discount"}
# Order-level columns must agree on every row of an order; a row that disagrees is a typo.
ORDER_COLUMNS = [c for c in REQUIRED + OPTIONAL if c not in LINE_COLUMNS]

HELP = """Import orders from a CSV (UTF-8) or XLSX file (first sheet), one row per order line.

Rows with the same order_number form one order; its order-level columns must agree on every
row. Records are checked exactly as POST /api/v1/orders checks them and sent in batches of 500
orders; an order with an error is skipped and reported with its row numbers.

Required columns: order_number, store (store code), customer_id (the customer's external id),
placed_at (ISO 8601, e.g. 2026-03-01 10:00; without an offset it is read in the merchant's time
zone), status (pending, paid, shipped, delivered, completed, cancelled), line_no, sku, quantity,
unit_price.
Optional columns: customer_name, phone, email (when given, the customer is created or updated),
currency (default: the merchant's), line_discount, order_discount, shipping_fee, total (checked
against the lines), payment_ref, payment_method, paid_at (a payment of `total` is recorded when
payment_ref is given).

Exits non-zero if the file is missing or unreadable, a required column is missing, or any order
failed."""


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["orders"], help="What the file holds.")
        parser.add_argument("path", type=Path, help="A .csv or .xlsx file.")
        parser.add_argument("--merchant", help="Merchant slug (default: the only merchant).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        rows = list(_read_rows(path))
        merchant = _merchant(options["merchant"])
        orders = _group(rows)
        actor = Actor.system(merchant, label=f"import:{path.name}")
        totals = {"created": 0, "updated": 0, "unchanged": 0, ERROR: 0}
        failures: list[str] = []
        with tqdm(total=len(orders), unit="order", file=sys.stderr, desc="import") as bar:
            for start in range(0, len(orders), BATCH):
                batch = orders[start : start + BATCH]
                for outcome, group in _import_batch(actor, batch):
                    totals[outcome.result] += 1
                    if outcome.result == ERROR:
                        failures.extend(_describe(outcome, group))
                bar.update(len(batch))
        self._summarise(totals, failures, len(rows))

    def _summarise(self, totals: dict[str, int], failures: list[str], rows: int) -> None:
        self.stdout.write(
            f"{rows} rows, {sum(totals.values())} orders: {totals['created']} created, "
            f"{totals['updated']} updated, {totals['unchanged']} unchanged, "
            f"{totals[ERROR]} with errors."
        )
        for line in failures:
            self.stdout.write(f"  {line}")
        if totals[ERROR]:
            raise CommandError(
                f"{totals[ERROR]} order(s) had errors and were not imported; see the rows above."
            )


Row = tuple[int, dict[str, str]]
Group = list[Row]


def _merchant(slug: str | None) -> Merchant:
    if slug:
        found = Merchant.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No merchant has the slug {slug!r}.")
        return found
    merchants = list(Merchant.objects.order_by("slug")[:2])
    if len(merchants) != 1:
        raise CommandError(
            "Give --merchant SLUG: there is no merchant yet."
            if not merchants
            else "Give --merchant SLUG: this installation has several merchants."
        )
    return merchants[0]


def _read_rows(path: Path) -> Iterator[Row]:
    if not path.is_file():
        raise CommandError(f"There is no file at {path}.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_table(path)
    elif suffix == ".xlsx":
        table = _xlsx_table(path)
    else:
        raise CommandError(
            f"{path.name}: use a .csv or .xlsx file, not {suffix or 'no extension'}."
        )
    header = [name.strip().lower() for name in next(table, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CommandError(f"{path.name} lacks the column(s): {', '.join(missing)}.")
    for number, cells in enumerate(table, start=2):
        row = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        if any(row.values()):
            yield number, row


def _csv_table(path: Path) -> Iterator[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError:
        raise CommandError(f"{path.name} is not UTF-8 text; save it as CSV UTF-8.") from None


def _xlsx_table(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a damaged file
        raise CommandError(f"{path.name} cannot be read as an XLSX workbook ({error}).") from None
    try:
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in cells]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    # Spreadsheets turn phone numbers and line numbers into floats; write them back as typed.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _group(rows: list[Row]) -> list[Group]:
    groups: dict[str, Group] = {}
    for number, row in rows:
        groups.setdefault(row.get("order_number", ""), []).append((number, row))
    return list(groups.values())


def _import_batch(actor: Actor, batch: list[Group]) -> list[tuple[Outcome, Group]]:
    """Upsert one batch; orders whose rows disagree are refused here, the rest by the action."""
    outcomes: list[tuple[Outcome, Group]] = []
    to_send: list[Group] = []
    for group in batch:
        conflicts = _conflicting_columns(group)
        if conflicts:
            outcome = Outcome(index=-1, external_id=group[0][1].get("order_number"))
            message = f"Rows of this order disagree on {', '.join(conflicts)}."
            outcome.fail(conflicts[0], "rows_disagree", message)
            outcomes.append((outcome, group))
        else:
            to_send.append(group)
    result = upsert_orders(actor=actor, records=[_record(group) for group in to_send])
    outcomes.extend(zip(result.outcomes, to_send, strict=True))
    return outcomes


def _conflicting_columns(group: Group) -> list[str]:
    first = group[0][1]
    return [c for c in ORDER_COLUMNS if any(row.get(c, "") != first.get(c, "") for _, row in group)]


def _record(group: Group) -> dict[str, Any]:
    first = group[0][1]
    record: dict[str, Any] = {
        "external_id": first.get("order_number", ""),
        "store": first.get("store", ""),
        "status": first.get("status", ""),
        "placed_at": first.get("placed_at", ""),
        "lines": [_line(row) for _, row in group],
    }
    _put(record, first, currency="currency", discount_total="order_discount")
    _put(record, first, shipping_fee="shipping_fee", total="total")
    customer: dict[str, Any] = {"external_id": first.get("customer_id", "")}
    _put(customer, first, name="customer_name", phone="phone", email="email")
    if len(customer) > 1:
        record["customer"] = customer
    else:
        record["customer_external_id"] = customer["external_id"]
    if first.get("payment_ref"):
        payment: dict[str, Any] = {"external_id": first["payment_ref"], "status": "paid"}
        _put(payment, first, method="payment_method", amount="total", paid_at="paid_at")
        record["payments"] = [payment]
    return record


def _line(row: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {}
    _put(line, row, line_no="line_no", sku="sku", quantity="quantity", unit_price="unit_price")
    _put(line, row, discount="line_discount")
    return line


def _put(target: dict[str, Any], row: dict[str, str], **columns: str) -> None:
    """Copy non-empty cells: an empty cell means "not given", never an empty value."""
    for field, column in columns.items():
        if row.get(column):
            target[field] = row[column]


def _describe(outcome: Outcome, group: Group) -> Iterator[str]:
    numbers = [number for number, _ in group]
    rows = ("row " if len(numbers) == 1 else "rows ") + ", ".join(map(str, numbers))
    for error in outcome.errors:
        where = rows
        parts = error["field"].split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
            where = f"row {numbers[int(parts[1])]}"
        name = outcome.external_id or "(no order_number)"
        yield f"order {name}, {where}: {error['field']}: {error['message']} [{error['code']}]"
