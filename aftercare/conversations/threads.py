"""Which conversation a message belongs to, and the headers that keep email threads together.

Email: a reply names earlier messages in In-Reply-To/References; any of them that we stored
(received or sent) gives the thread. Without one, an RMA number in the subject finds the
email conversation about that case. SMS, calls and web chat: the open conversation with the
same address on the same channel. Marketplace: the marketplace's own thread id.
Message-IDs are stored in their header form, "<id@host>".
"""

from __future__ import annotations

import re
from email.utils import make_msgid
from typing import TYPE_CHECKING

from django.conf import settings

from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Channel, ConversationStatus, Direction
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped

if TYPE_CHECKING:
    from aftercare.conversations.actions import Incoming
    from aftercare.conversations.linking import Found

MSGID = re.compile(r"<[^<>\s]+>")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|回覆|答复|转发|轉寄)\s*[:：]\s*)+", re.I)
MAX_REFERENCES = 20


def message_ids(text: str) -> list[str]:
    return MSGID.findall(text or "")


def clean_subject(subject: str) -> str:
    return REPLY_PREFIX.sub("", subject or "").strip()


def find_thread(
    merchant: Merchant, incoming: Incoming, contact: str, found: Found
) -> Conversation | None:
    conversations = scoped(Conversation, merchant)
    if incoming.channel == Channel.EMAIL:
        return _email_thread(merchant, incoming, found)
    if incoming.channel == Channel.MARKETPLACE and incoming.thread_key:
        return conversations.filter(
            channel=incoming.channel, thread_key=incoming.thread_key
        ).first()
    if not contact:
        return None
    return (
        conversations.filter(channel=incoming.channel, contact=contact)
        .exclude(status=ConversationStatus.CLOSED)
        .order_by("-last_message_at", "-id")
        .first()
    )


def _email_thread(merchant: Merchant, incoming: Incoming, found: Found) -> Conversation | None:
    named = [*message_ids(incoming.in_reply_to), *incoming.references][-MAX_REFERENCES:]
    if named:
        earlier = (
            scoped(Message, merchant)
            .filter(channel=Channel.EMAIL, external_id__in=named)
            .select_related("conversation")
            .order_by("-id")
            .first()
        )
        if earlier is not None:
            return earlier.conversation
    subject_cases = [c for c in found.cases if c.number and c.number in incoming.subject.upper()]
    if subject_cases:
        return (
            scoped(Conversation, merchant)
            .filter(channel=Channel.EMAIL, links__case__in=subject_cases)
            .order_by("-last_message_at", "-id")
            .first()
        )
    return None


def reply_subject(conversation: Conversation) -> str:
    if conversation.channel != Channel.EMAIL:
        return ""
    subject = conversation.subject or "Your message"
    return f"Re: {subject}"[:300]


def assign_email_headers(conversation: Conversation, message: Message) -> None:
    """Give an outgoing email its Message-ID and the In-Reply-To/References of the thread."""
    last_inbound = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .exclude(external_id="")
        .order_by("-id")
        .first()
    )
    domain = _domain_of(conversation.our_address)
    message.external_id = make_msgid(domain=domain)
    if last_inbound is not None:
        message.in_reply_to = last_inbound.external_id
        chain = [*last_inbound.references.split(), last_inbound.external_id]
        message.references = " ".join(dict.fromkeys(chain[-MAX_REFERENCES:]))
    message.save(update_fields=["external_id", "in_reply_to", "references"])


def _domain_of(address: str) -> str:
    if "@" in address:
        return address.rsplit("@", 1)[1]
    return str(getattr(settings, "AFTERCARE_MAIL_DOMAIN", "") or "aftercare.invalid")
