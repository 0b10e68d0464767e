"""Web chat sessions: a signed token per visitor (or per portal customer).

The token names the merchant, a visitor key and, for a signed-in portal customer, the
customer. It is signed with SECRET_KEY (django.core.signing), so a visitor cannot forge
another's key: the only conversations a token reaches are the web-chat ones whose contact is
its own visitor key. Tokens expire after CHAT_TOKEN_MAX_AGE; the widget asks for a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core import signing

from aftercare.commerce.models import Customer
from aftercare.conversations.errors import InvalidChatToken
from aftercare.conversations.models import Conversation
from aftercare.conversations.states import Channel, ConversationStatus
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped

SALT = "aftercare.conversations.chat"
CHAT_TOKEN_MAX_AGE = 7 * 24 * 3600


@dataclass(frozen=True)
class ChatSession:
    merchant: Merchant
    visitor: str
    customer: Customer | None

    @property
    def handle(self) -> str:
        return hashlib.sha256(self.visitor.encode()).hexdigest()[:4].upper()

    @property
    def group(self) -> str:
        return visitor_group(self.merchant.pk, self.visitor)


def visitor_group(merchant_id: int, visitor: str) -> str:
    # Channels group names allow only [a-zA-Z0-9._-]; a hash keeps any visitor key safe.
    return f"chat.{merchant_id}.{hashlib.sha256(visitor.encode()).hexdigest()[:32]}"


def issue_token(merchant: Merchant, *, customer: Customer | None = None) -> str:
    visitor = f"customer-{customer.pk}" if customer else f"visitor-{secrets.token_urlsafe(16)}"
    return signing.dumps(
        {"m": merchant.pk, "v": visitor, "c": customer.pk if customer else None}, salt=SALT
    )


def read_token(token: str) -> ChatSession:
    try:
        data = signing.loads(token, salt=SALT, max_age=CHAT_TOKEN_MAX_AGE)
    except signing.BadSignature as error:  # also SignatureExpired
        raise InvalidChatToken("The chat token is not valid or has expired.") from error
    merchant = Merchant.objects.filter(pk=data.get("m")).first()
    if merchant is None:
        raise InvalidChatToken("The chat token is not valid or has expired.")
    customer = None
    if data.get("c") is not None:
        customer = scoped(Customer, merchant).filter(pk=data["c"]).first()
    return ChatSession(merchant=merchant, visitor=str(data["v"]), customer=customer)


def current_conversation(session: ChatSession) -> Conversation | None:
    """The visitor's web-chat thread: the newest one with their key that is not closed."""
    return (
        scoped(Conversation, session.merchant)
        .filter(channel=Channel.WEB_CHAT, contact=session.visitor)
        .exclude(status=ConversationStatus.CLOSED)
        .order_by("-id")
        .first()
    )
