"""`aftercare assistant train | evaluate FILE | install-faq --merchant SLUG`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftercare.assistant import classifier
from aftercare.assistant.actions import install_default_faq
from aftercare.assistant.evaluation import as_dict, evaluate, report
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant


class Command(BaseCommand):
    help = (
        "Assistant models and FAQ. train: retrain with agents' corrections and keep the new "
        "model only when its held-out scores are not worse. evaluate FILE.jsonl: accuracy, "
        "macro-F1 and per-label precision/recall of the current model on lines with text, "
        "intent and optionally reason and language. install-faq: the default FAQ entries."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        train = commands.add_parser("train", help="Retrain including corrections")
        train.add_argument("--merchant", help="Only this merchant's corrections (default: all)")
        evaluate_ = commands.add_parser("evaluate", help="Score the current model on a file")
        evaluate_.add_argument("file")
        install = commands.add_parser("install-faq", help="Install the default FAQ entries")
        install.add_argument("--merchant", help="Merchant slug (needed when there are several)")
        install.add_argument("--replace", action="store_true", help="Overwrite edited entries")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _train(self, options: dict[str, Any]) -> None:
        from aftercare.assistant.retrain import retrain

        merchant = _merchant(options["merchant"]) if options.get("merchant") else None
        result = retrain(merchant=merchant)
        self.stdout.write(f"corrections used: {result.corrections}")
        self.stdout.write(f"held-out before: {as_dict(result.before)}")
        self.stdout.write(f"held-out after:  {as_dict(result.after)}")
        if result.replaced:
            self.stdout.write(f"new model saved to {classifier.model_path()}")
        else:
            self.stdout.write("new model is worse on the held-out set: kept the current one")

    def _evaluate(self, options: dict[str, Any]) -> None:
        try:
            examples = classifier.load_examples(options["file"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        if not examples:
            raise CommandError(f"{options['file']} has no examples.")
        self.stdout.write(report(evaluate(classifier.current_model(), examples)))

    def _install_faq(self, options: dict[str, Any]) -> None:
        merchant = _merchant(options.get("merchant"))
        actor = Actor.system(merchant, label="cli:assistant install-faq")
        entries = install_default_faq(actor=actor, replace=options["replace"])
        self.stdout.write(f"{merchant.slug}: {len(entries)} FAQ entries installed.")


def _merchant(slug: str | None) -> Merchant:
    if slug:
        merchant = Merchant.objects.filter(slug=slug).first()
        if merchant is None:
            raise CommandError(f"No merchant with slug {slug!r}.")
        return merchant
    merchants = list(Merchant.objects.order_by("pk")[:2])
    if len(merchants) != 1:
        raise CommandError("Say which merchant with --merchant SLUG.")
    return merchants[0]
