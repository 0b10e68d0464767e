"""`aftercare seed-demo`: fill an empty merchant with a realistic, reproducible demo store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from aftercare.commerce.seeding import SeedRefused, SeedSummary, seed_demo_store


def _moment(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None or moment.tzinfo is None:
        raise CommandError(f"--now must be an ISO date-time with an offset, got {text!r}.")
    return moment


class Command(BaseCommand):
    help = (
        "Generate a demo store (stores, products, customers, orders, payments, shipments) "
        "for an empty merchant. The same --seed gives the same data; order dates lie in the "
        "year before --now. Refuses a merchant that already has customers or orders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=2000, help="How many orders.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument("--merchant-slug", default="demo")
        parser.add_argument("--merchant-name", default="Demo")
        parser.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="Anchor the dates here instead of the current time (ISO 8601 with offset), "
            "to reproduce timestamps exactly.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["orders"] < 1:
            raise CommandError("--orders must be at least 1.")
        try:
            summary = seed_demo_store(
                orders=options["orders"],
                seed=options["seed"],
                now=options["now"],
                merchant_slug=options["merchant_slug"],
                merchant_name=options["merchant_name"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except SeedRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(describe(summary))


def describe(summary: SeedSummary) -> str:
    rate = summary.orders / summary.seconds if summary.seconds else 0.0
    return (
        f"Seeded merchant {summary.merchant.slug!r} in {summary.seconds:.1f} s "
        f"({rate:,.0f} orders/s):\n"
        f"  {summary.stores} stores, {summary.products} products, "
        f"{summary.customers:,} customers\n"
        f"  {summary.orders:,} orders, {summary.lines:,} lines, {summary.payments:,} payments, "
        f"{summary.shipments:,} shipments ({summary.rows_total:,} rows)"
    )
