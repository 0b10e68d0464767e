"""SmsProvider over Twilio's Messages API, and the check of Twilio's callback signature.

POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From, Body and
StatusCallback, HTTP basic auth with the account SID and auth token. Success is JSON with
`sid` and `status`; an error is JSON with `code` and `message`. A 4xx is permanent (a bad
number, an unverified sender), a 5xx or 429 is retried (core.http decides).

Status callbacks are signed with X-Twilio-Signature: base64 of HMAC-SHA1, keyed with the auth
token, over the full callback URL followed by every POST parameter name and value, sorted by
name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import urlencode

from aftercare.core import http
from aftercare.core.errors import ExternalServiceError, InvalidSignature
from aftercare.notifications.providers import OutgoingSms, Sent

API_BASE = "https://api.twilio.com"
_ANSWER = re.compile(r"answered (\d{3}): (.*)$", re.DOTALL)


class TwilioSms:
    name = "twilio"

    def __init__(self, *, account_sid: str, auth_token: str, sender: str, api_base: str = API_BASE):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender
        self.api_base = (api_base or API_BASE).rstrip("/")

    def url(self) -> str:
        return f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def send_sms(self, message: OutgoingSms) -> Sent:
        if not (self.account_sid and self.auth_token and self.sender):
            raise ExternalServiceError("Twilio is not fully configured.", permanent=True)
        form = {"To": message.to, "From": self.sender, "Body": message.body}
        if message.status_callback:
            form["StatusCallback"] = message.status_callback
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        headers = {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        try:
            response = http.request(
                "POST", self.url(), content=urlencode(form).encode(), headers=headers
            )
        except ExternalServiceError as error:
            raise _explained(error) from None
        answer = response.json()
        return Sent(
            provider=self.name,
            reference=str(answer["sid"]),
            status=str(answer.get("status", "queued")),
        )


def _explained(error: ExternalServiceError) -> ExternalServiceError:
    """Twilio's own code and message, when its error JSON is in the answer."""
    found = _ANSWER.search(error.detail)
    if not found:
        return error
    try:
        body = json.loads(found.group(2))
        detail = f"Twilio {found.group(1)} error {body.get('code')}: {body.get('message')}"
    except (ValueError, AttributeError):
        return error
    return ExternalServiceError(
        detail, permanent=error.permanent, extra={"twilio_code": body.get("code")}
    )


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    signed = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_twilio_signature(
    auth_token: str, url: str, params: dict[str, str], header: str | None
) -> None:
    if not header:
        raise InvalidSignature("The X-Twilio-Signature header is missing.")
    if not auth_token or not hmac.compare_digest(twilio_signature(auth_token, url, params), header):
        raise InvalidSignature("The X-Twilio-Signature does not match.")
