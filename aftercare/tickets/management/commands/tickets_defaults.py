"""`aftercare tickets_defaults <merchant-slug> [--enrol-agents]`: default skill groups,
routing rules, SLA policies, business hours and canned replies for a merchant (safe to run
again: only what is missing is added)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftercare.conversations.canned_defaults import install_default_canned
from aftercare.merchants.models import Merchant
from aftercare.tickets.defaults import enrol_agents, install_defaults


class Command(BaseCommand):
    help = "Install default skill groups, routing rules, SLA policies and canned replies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("merchant", help="The merchant's slug.")
        parser.add_argument(
            "--enrol-agents",
            action="store_true",
            help="Also put every agent, supervisor and admin online in the skill groups.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        merchant = Merchant.objects.filter(slug=options["merchant"]).first()
        if merchant is None:
            raise CommandError(f"No merchant {options['merchant']!r}.")
        created = install_defaults(merchant)
        self.stdout.write(
            f"{merchant.slug}: {created['groups']} groups, {created['rules']} rules, "
            f"{created['policies']} SLA policies, "
            f"{install_default_canned(merchant)} canned replies added."
        )
        if options["enrol_agents"]:
            self.stdout.write(f"{enrol_agents(merchant)} members enrolled as agents.")
