"""The capabilities notifications need from outside systems, as small typed Protocols.

Implementations live in aftercare/integrations/<provider>/ (rule 9). Each raises
ExternalServiceError whose `permanent` tells the outbox whether to try again.
`reference` is our stable id of the message (the notification's dedupe key): providers that
can deduplicate on it (the HTTP gateway's Idempotency-Key, the email's Message-ID) do, so a
retry after a worker died mid-send reaches the customer once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Sent:
    provider: str
    reference: str  # the provider's id of the message (a Twilio SID, a gateway id)
    status: str = "sent"


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str
    reference: str
    status_callback: str = ""


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    reference: str
    from_address: str = ""


class SmsProvider(Protocol):
    name: str

    def send_sms(self, message: OutgoingSms) -> Sent: ...


class EmailSender(Protocol):
    name: str

    def send_email(self, message: OutgoingEmail) -> Sent: ...
