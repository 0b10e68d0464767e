"""SMS in: verify the webhook, store it (core inbox, unique on the provider's message id),
then turn it into a message exactly once.

Two formats:
- generic JSON, signed with our Aftercare-Signature header (core/inbox.py) using the
  receiving number's secret: {"id": "...", "from": "+86...", "to": "+86...", "body": "..."}.
- Twilio's form-encoded webhook, signed with X-Twilio-Signature and the number's auth token
  (aftercare/integrations/twilio/inbound.py).

Which merchant: the `to` number's ChannelAddress. The signature is checked with that
address's secret before anything is stored; a missing or wrong signature stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from aftercare.commerce.phones import InvalidPhone, to_e164
from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.models import ChannelAddress
from aftercare.conversations.states import Channel
from aftercare.core.errors import InvalidSignature, ValidationFailed
from aftercare.core.inbox import process_inbound, store_inbound, verify_signature
from aftercare.core.outbox_models import InboxEvent
from aftercare.integrations.twilio import inbound as twilio

GENERIC = "sms.generic"
TWILIO = "sms.twilio"
MAX_SMS_BODY = 5000


def _route(number: str, provider: str) -> ChannelAddress:
    try:
        address = to_e164(number, region="CN") if number.startswith("+") else number
    except InvalidPhone:
        address = number
    route = (
        ChannelAddress.objects.filter(channel=Channel.SMS, provider=provider, address=address)
        .select_related("merchant")
        .first()
    )
    if route is None:
        # Said as a signature failure: an unknown number must not be told apart from a
        # known one by someone probing without a secret.
        raise InvalidSignature("No SMS number here accepts this webhook.")
    return route


def receive_generic(body: bytes, signature: str | None) -> tuple[InboxEvent, bool]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise InvalidSignature("The body is not signed JSON.") from error
    if not isinstance(data, dict):
        raise InvalidSignature("The body is not signed JSON.")
    route = _route(str(data.get("to", "")), "generic")
    verify_signature(route.secret, body, signature)
    payload = _generic_payload(data)
    return _store_and_apply(GENERIC, payload, route)


def _generic_payload(data: dict[str, Any]) -> dict[str, Any]:
    fields = {name: str(data.get(name, "")) for name in ("id", "from", "to", "body")}
    if not fields["id"] or not fields["from"]:
        raise ValidationFailed("An SMS webhook needs 'id' and 'from'.")
    return {
        "id": fields["id"][:200],
        "from": fields["from"][:32],
        "to": fields["to"][:32],
        "body": fields["body"][:MAX_SMS_BODY],
        "media": [],
    }


def receive_twilio(
    url: str, params: Mapping[str, Sequence[str]], signature: str | None
) -> tuple[InboxEvent, bool]:
    recipient = (params.get("To") or [""])[0]
    route = _route(recipient, "twilio")
    twilio.verify(route.secret, url, params, signature)
    sms = twilio.parse(params)
    payload = {
        "id": sms.message_sid,
        "from": sms.sender,
        "to": sms.recipient,
        "body": sms.body[:MAX_SMS_BODY],
        "media": sms.media,
    }
    return _store_and_apply(TWILIO, payload, route)


def _store_and_apply(
    provider: str, payload: dict[str, Any], route: ChannelAddress
) -> tuple[InboxEvent, bool]:
    event, created = store_inbound(
        provider=provider, event_id=payload["id"], payload=payload, merchant=route.merchant
    )
    if created:
        event = process_inbound(event.pk, apply_sms_event)
    return event, created


def apply_sms_event(event: InboxEvent) -> None:
    """The inbox handler: one stored SMS webhook -> one message (safe to run twice)."""
    assert event.merchant is not None
    payload = event.payload
    route_address = payload.get("to", "")
    incoming = Incoming(
        channel=Channel.SMS,
        contact=payload["from"],
        body=payload.get("body", "") or "(media)",
        external_id=f"{event.provider}:{payload['id']}",
        our_address=route_address,
        meta={"media": payload.get("media", []), "provider": event.provider},
    )
    receive_message(merchant=event.merchant, incoming=incoming)
