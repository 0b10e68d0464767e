"""Incoming webhooks: verify the signature, store first, process once (architecture rule 6).

A provider redelivers when it does not hear 2xx fast enough, and sometimes just because. The
endpoint therefore verifies, stores the event (unique on provider + the provider's event id)
and answers at once; `process_inbound()` then applies it exactly once.

Signed webhooks use one header (ours outbound, and providers that adopt our format inbound):

    Aftercare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

The timestamp is inside the signed text, so an old request cannot be replayed with a fresh
`t`; `verify_signature()` refuses timestamps more than `tolerance_seconds` from now. Several
`v1=` entries may be present (one per secret while a secret is being rotated); one match is
enough.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from aftercare.core.errors import InvalidSignature
from aftercare.core.outbox_models import InboxEvent, InboxStatus
from aftercare.merchants.models import Merchant

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Aftercare-Signature"
SIGNATURE_VERSION = "v1"
ERROR_TEXT_LIMIT = 2000

InboundHandler = Callable[[InboxEvent], None]


# --- Storing and processing ---------------------------------------------------------------


def store_inbound(
    *,
    provider: str,
    event_id: str,
    payload: dict[str, Any],
    merchant: Merchant | None = None,
) -> tuple[InboxEvent, bool]:
    """Store an incoming event; a redelivery returns the stored one and created=False."""
    existing = InboxEvent.objects.filter(provider=provider, event_id=event_id).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint: two deliveries of one event racing each other must leave the loser's
        # transaction usable, so it can read the winner's row.
        with transaction.atomic():
            event = InboxEvent.objects.create(
                provider=provider, event_id=event_id, payload=payload, merchant=merchant
            )
    except IntegrityError:
        return InboxEvent.objects.get(provider=provider, event_id=event_id), False
    return event, True


def process_inbound(
    inbox_id: int, handler: InboundHandler, *, include_failed: bool = False
) -> InboxEvent:
    """Apply a stored event once: the handler's writes and the `processed` mark commit together.

    The row is locked for the duration, so a second worker waits and then sees it processed.
    A failing handler's writes roll back and the event is marked failed with the error;
    `include_failed=True` retries a failed event. Handlers only write to the database (network
    calls go through the outbox), so holding the lock while they run is short.
    """
    try:
        with transaction.atomic():
            event = InboxEvent.objects.select_for_update().get(pk=inbox_id)
            if not _should_process(event, include_failed=include_failed):
                return event
            handler(event)
            event.status = InboxStatus.PROCESSED
            event.processed_at = timezone.now()
            event.error = ""
            event.save(update_fields=["status", "processed_at", "error"])
            return event
    except Exception as error:
        log.exception("processing inbound event %s failed", inbox_id)
        return _mark_failed(inbox_id, error)


def _should_process(event: InboxEvent, *, include_failed: bool) -> bool:
    if event.status == InboxStatus.RECEIVED:
        return True
    return include_failed and event.status == InboxStatus.FAILED


def _mark_failed(inbox_id: int, error: Exception) -> InboxEvent:
    text = f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT]
    InboxEvent.objects.filter(pk=inbox_id).exclude(status=InboxStatus.PROCESSED).update(
        status=InboxStatus.FAILED, error=text, processed_at=timezone.now()
    )
    return InboxEvent.objects.get(pk=inbox_id)


# --- Signatures ---------------------------------------------------------------------------


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _digest(secret: str | bytes, body: bytes, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(_as_bytes(secret), signed, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: bytes, timestamp: int | None = None) -> str:
    """The `Aftercare-Signature` header value for `body` sent at `timestamp` (default: now)."""
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={stamp},{SIGNATURE_VERSION}={_digest(secret, body, stamp)}"


def verify_signature(
    secret: str | bytes,
    body: bytes,
    header: str | None,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> int:
    """Check a signature header; return its timestamp, or raise InvalidSignature saying why."""
    stamp, signatures = _parse_header(header)
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_seconds:
        raise InvalidSignature(
            f"The signature timestamp is more than {tolerance_seconds} seconds from now."
        )
    expected = _digest(secret, body, stamp)
    # compare_digest on every candidate: timing reveals nothing about how much matched.
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise InvalidSignature("The signature does not match the body.")
    return stamp


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing.")
    stamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            stamp = int(value)
        elif name == SIGNATURE_VERSION and value:
            signatures.append(value.lower())
    if stamp is None or not signatures:
        raise InvalidSignature(
            f"The {SIGNATURE_HEADER} header must look like "
            f"'t=<unix seconds>,{SIGNATURE_VERSION}=<hex>'."
        )
    return stamp, signatures
