"""SmsProvider for a generic HTTP gateway, configured per merchant.

The merchant gives a URL, an Authorization header and a JSON body template with `$to`,
`$from`, `$body` and `$reference` placeholders (values are JSON-escaped before they are put
in). We send `Idempotency-Key: <reference>` so a gateway that honours it sends a retried
message once. The answer's `id` (or `message_id`) is kept as the provider reference.
"""

from __future__ import annotations

import json
from string import Template

from aftercare.core import http
from aftercare.core.errors import ExternalServiceError
from aftercare.notifications.providers import OutgoingSms, Sent

DEFAULT_BODY = '{"to": "$to", "from": "$from", "text": "$body", "reference": "$reference"}'


class HttpSmsGateway:
    name = "http_sms"

    def __init__(
        self, *, url: str, auth_header: str = "", body_template: str = "", sender: str = ""
    ):
        self.url = url
        self.auth_header = auth_header
        self.body_template = body_template or DEFAULT_BODY
        self.sender = sender

    def body_for(self, message: OutgoingSms) -> bytes:
        def esc(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)[1:-1]

        filled = Template(self.body_template).safe_substitute(
            to=esc(message.to),
            body=esc(message.body),
            reference=esc(message.reference),
            **{"from": esc(self.sender)},
        )
        return filled.encode()

    def send_sms(self, message: OutgoingSms) -> Sent:
        if not self.url:
            raise ExternalServiceError("No SMS gateway URL is configured.", permanent=True)
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.reference}
        if self.auth_header:
            headers["Authorization"] = self.auth_header
        response = http.request("POST", self.url, content=self.body_for(message), headers=headers)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        reference = ""
        if isinstance(answer, dict):
            reference = str(answer.get("id") or answer.get("message_id") or "")
        return Sent(provider=self.name, reference=reference or message.reference)
