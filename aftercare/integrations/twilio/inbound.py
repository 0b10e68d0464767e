"""Twilio's inbound SMS webhook: form-encoded From/To/Body/MessageSid, signed with
X-Twilio-Signature.

Twilio signs base64(HMAC-SHA1(auth token, full URL + every POST parameter's name and value,
sorted by name, concatenated)). The URL must be the one Twilio called, scheme and query
included, so a deployment behind a proxy must pass the original host and scheme through.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aftercare.core.errors import InvalidSignature, ValidationFailed

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's media fields: NumMedia, MediaUrl0.., MediaContentType0..; kept as metadata only
# (fetching them is a network call, which belongs after commit).
MAX_MEDIA = 10


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    sender: str
    recipient: str
    body: str
    media: list[dict[str, str]]


def expected_signature(auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    signed = url + "".join(name + value for name in sorted(params) for value in params[name])
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(
    auth_token: str, url: str, params: Mapping[str, Sequence[str]], header: str | None
) -> None:
    if not header:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing.")
    if not auth_token:
        raise InvalidSignature("No Twilio auth token is configured for this number.")
    expected = expected_signature(auth_token, url, params)
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        raise InvalidSignature("The Twilio signature does not match the request.")


def parse(params: Mapping[str, Sequence[str]]) -> InboundSms:
    def one(name: str) -> str:
        values = params.get(name) or [""]
        return values[0]

    sid, sender, recipient = one("MessageSid") or one("SmsSid"), one("From"), one("To")
    if not sid or not sender or not recipient:
        raise ValidationFailed("A Twilio SMS webhook needs MessageSid, From and To.")
    count = min(int(one("NumMedia") or 0) if one("NumMedia").isdigit() else 0, MAX_MEDIA)
    media = [
        {"url": one(f"MediaUrl{i}"), "content_type": one(f"MediaContentType{i}")}
        for i in range(count)
    ]
    return InboundSms(
        message_sid=sid, sender=sender, recipient=recipient, body=one("Body"), media=media
    )
