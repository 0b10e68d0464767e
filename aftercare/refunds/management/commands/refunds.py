"""`aftercare refunds reconcile`: re-check refund executions stuck in "requested"."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refund maintenance. reconcile: ask the gateways about executions stuck in 'requested'."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["reconcile"])
        parser.add_argument(
            "--older-than", type=int, default=300, help="Seconds since the last change (300)."
        )
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        from aftercare.refunds.execution import reconcile

        if options["older_than"] < 0 or options["limit"] < 1:
            raise CommandError("--older-than must be >= 0 and --limit >= 1.")
        counts = reconcile(older_than_seconds=options["older_than"], limit=options["limit"])
        self.stdout.write(" ".join(f"{name}: {value}" for name, value in counts.items()))
