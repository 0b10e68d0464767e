"""Email in: one raw MIME message -> an Incoming for receive_message.

Used by `aftercare mail-in` (an MTA alias pipe) and by the raw-MIME API endpoint. The raw
message is kept whole as the original; the console shows only the new text, with quoted
history and the signature cut off. Oversized or unreadable mail is refused with a reason
(logged) and stores nothing.
"""

from __future__ import annotations

import base64
import logging
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import nh3

from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.errors import EmailTooLarge, MalformedEmail, UnknownRecipient
from aftercare.conversations.models import ChannelAddress, Message
from aftercare.conversations.states import Channel
from aftercare.conversations.threads import message_ids
from aftercare.merchants.models import Merchant

log = logging.getLogger(__name__)

MAX_EMAIL_BYTES = 15 * 1024 * 1024
MAX_ATTACHMENTS = 10
SERIOUS_DEFECTS = {
    "MissingHeaderBodySeparatorDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "NoBoundaryInMultipartDefect",
}
# Where quoted history starts, in the clients and languages our merchants' customers use.
QUOTE_STARTS = [
    re.compile(r"^On .{3,200}wrote:\s*$"),
    re.compile(r"^-{2,}\s*(Original Message|Forwarded message|原始邮件|原始郵件)\s*-{2,}", re.I),
    re.compile(r"^在.{2,120}(写道|寫道)[:：]\s*$"),
    re.compile(r"^(From|发件人|寄件者)[:：]\s.+$"),
    re.compile(r"^_{10,}\s*$"),
]
SIGNATURE_STARTS = [
    re.compile(r"^-- ?$"),
    re.compile(r"^(Sent from my |Get Outlook for |发自我的|從我的).{0,40}$"),
]


def parse(raw: bytes) -> EmailMessage:
    if len(raw) > MAX_EMAIL_BYTES:
        raise EmailTooLarge(
            f"The email is {len(raw)} bytes; at most {MAX_EMAIL_BYTES} are accepted."
        )
    if not raw.strip():
        raise MalformedEmail("The email is empty.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    defects = {type(d).__name__ for d in message.defects}
    for part in message.walk():
        defects |= {type(d).__name__ for d in part.defects}
    serious = sorted(defects & SERIOUS_DEFECTS)
    if serious:
        raise MalformedEmail(f"The email's MIME structure is broken ({', '.join(serious)}).")
    if not parseaddr(str(message.get("From", "")))[1]:
        raise MalformedEmail("The email has no From address.")
    return message


def recipients(message: EmailMessage) -> list[str]:
    fields = [str(v) for key in ("Delivered-To", "To", "Cc") for v in message.get_all(key, [])]
    return [address.lower() for _, address in getaddresses(fields) if address]


def merchant_for(message: EmailMessage) -> tuple[Merchant, str]:
    """The merchant whose mailbox (a ChannelAddress) the email was sent to."""
    addresses = recipients(message)
    route = (
        ChannelAddress.objects.filter(channel=Channel.EMAIL, address__in=addresses)
        .select_related("merchant")
        .first()
    )
    if route is None:
        raise UnknownRecipient(f"No merchant receives email at {', '.join(addresses) or '-'}.")
    return route.merchant, route.address


def to_incoming(message: EmailMessage, raw: bytes, *, our_address: str = "") -> Incoming:
    name, sender = parseaddr(str(message.get("From", "")))
    text, html = _bodies(message)
    if not text and html:
        text = nh3.clean(html, tags=set()).strip()
    return Incoming(
        channel=Channel.EMAIL,
        contact=sender.lower(),
        contact_name=name,
        body=strip_quoted(text),
        body_html=html,
        subject=str(message.get("Subject", ""))[:300],
        original=keep_original(raw),
        external_id=(message_ids(str(message.get("Message-ID", ""))) or [""])[0],
        in_reply_to=(message_ids(str(message.get("In-Reply-To", ""))) or [""])[0],
        references=message_ids(str(message.get("References", ""))),
        our_address=our_address,
        attachments=_attachments(message),
    )


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    try:
        text = text_part.get_content() if text_part is not None else ""
        html = html_part.get_content() if html_part is not None else ""
    except (LookupError, ValueError) as error:  # an unknown charset or broken encoding
        raise MalformedEmail(f"The email's text cannot be decoded ({error}).") from error
    return str(text).replace("\r\n", "\n"), str(html)


def _attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    out: list[tuple[str, str, bytes]] = []
    for part in message.iter_attachments():
        if len(out) >= MAX_ATTACHMENTS:
            break
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            out.append((part.get_filename() or "attachment", part.get_content_type(), data))
    return out


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to the first quote marker or signature line."""
    kept: list[str] = []
    for line in text.split("\n"):
        bare = line.rstrip()
        if bare.startswith(">"):
            break
        if any(p.match(bare.strip()) for p in QUOTE_STARTS + SIGNATURE_STARTS):
            break
        kept.append(bare)
    result = "\n".join(kept).strip()
    # A message that is all quote (a bare forward) keeps its text rather than showing nothing.
    return result or text.strip()


def keep_original(raw: bytes) -> str:
    """The raw message as text; bytes that are not UTF-8 (or a NUL, which PostgreSQL text
    cannot hold) are kept exactly as base64 behind a 'base64:' prefix."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and "\x00" not in decoded:
        return decoded
    return "base64:" + base64.b64encode(raw).decode()


def receive_email(raw: bytes, *, merchant: Merchant | None = None) -> tuple[Message, bool]:
    """Parse, route and store one email. Raises a DomainError (and logs why) when refused."""
    try:
        message = parse(raw)
        if merchant is None:
            merchant, our_address = merchant_for(message)
        else:
            mailbox = ChannelAddress.objects.filter(
                merchant=merchant, channel=Channel.EMAIL, address__in=recipients(message)
            ).first()
            our_address = mailbox.address if mailbox else (recipients(message) or [""])[0]
        incoming = to_incoming(message, raw, our_address=our_address)
        return receive_message(merchant=merchant, incoming=incoming)
    except (MalformedEmail, EmailTooLarge, UnknownRecipient) as error:
        log.warning("inbound email refused: %s (%s)", error.detail, error.code)
        raise
