"""`aftercare policy install-preset NAME [--merchant SLUG]`: a return policy in one command."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftercare.core.actors import Actor
from aftercare.core.errors import DomainError
from aftercare.merchants.models import Merchant
from aftercare.policies.actions import install_preset
from aftercare.policies.presets import PRESETS


class Command(BaseCommand):
    help = "Manage return policies. install-preset NAME: china_7day, eu_14day or custom."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        install = commands.add_parser("install-preset", help="Install a preset policy")
        install.add_argument("name", choices=sorted(PRESETS))
        install.add_argument("--merchant", help="Merchant slug (needed when there are several)")

    def handle(self, *args: Any, **options: Any) -> None:
        merchant = self._merchant(options.get("merchant"))
        actor = Actor.system(merchant, label="cli:policy install-preset")
        try:
            version = install_preset(actor=actor, name=options["name"])
        except DomainError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(
            f"{merchant.slug}: installed {options['name']} as “{version.policy.name}” "
            f"version {version.number} (active)."
        )

    def _merchant(self, slug: str | None) -> Merchant:
        if slug:
            merchant = Merchant.objects.filter(slug=slug).first()
            if merchant is None:
                raise CommandError(f"No merchant with slug {slug!r}.")
            return merchant
        merchants = list(Merchant.objects.order_by("pk")[:2])
        if len(merchants) != 1:
            raise CommandError("Say which merchant with --merchant SLUG.")
        return merchants[0]
