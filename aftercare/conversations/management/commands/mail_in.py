"""`aftercare mail-in [--merchant SLUG]`: receive one raw email on standard input.

For an MTA alias, e.g. in Postfix's aliases: `support: "|/srv/aftercare/.venv/bin/aftercare
mail-in"`. Without --merchant the recipient address picks the merchant (a ChannelAddress).
Exit 0 when stored (or already stored); a refused message prints one sentence on stderr and
exits 65 (EX_DATAERR: the MTA bounces it) or 67 (EX_NOUSER: no such mailbox).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftercare.conversations.email_in import MAX_EMAIL_BYTES, receive_email
from aftercare.conversations.errors import EmailTooLarge, UnknownRecipient
from aftercare.core.errors import DomainError
from aftercare.merchants.models import Merchant

EX_DATAERR = 65
EX_NOUSER = 67


class Command(BaseCommand):
    help = "Receive one raw MIME email on standard input (an MTA pipe delivery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--merchant", help="The merchant's slug (default: by recipient).")

    def handle(self, *args: Any, **options: Any) -> None:
        merchant = None
        if options.get("merchant"):
            merchant = Merchant.objects.filter(slug=options["merchant"]).first()
            if merchant is None:
                self._refuse(f"No merchant has the slug {options['merchant']!r}.", EX_NOUSER)
        # One byte over the limit is enough to know the message is too large.
        raw = sys.stdin.buffer.read(MAX_EMAIL_BYTES + 1)
        try:
            message, created = receive_email(raw, merchant=merchant)
        except UnknownRecipient as error:
            self._refuse(error.detail, EX_NOUSER)
        except (EmailTooLarge, DomainError) as error:
            self._refuse(error.detail, EX_DATAERR)
        state = "stored" if created else "already stored"
        self.stdout.write(
            f"Message {message.pk} {state} in conversation {message.conversation_id}."
        )

    def _refuse(self, sentence: str, code: int) -> None:
        self.stderr.write(f"aftercare mail-in: refused: {sentence}")
        raise SystemExit(code)
