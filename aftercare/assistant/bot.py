"""A4: the bot, as a dialogue engine any channel can drive (web chat, SMS, the IVR).

    turn = reply_to(merchant=m, conversation_key="chat:8f2c", text="where is my refund?")

Each call answers one customer message. The conversation's state lives in a BotSession row
(per merchant and opaque conversation key), locked for the turn, so two messages of one
conversation are answered in order. The message is analysed (language, intent, reason,
sentiment, flags, entities) before the lock is taken: that is CPU work, not database work.

What the bot does, in this order:
1. Hands over to a person when asked ("人工", "轉人工", "agent", "human"), when the message
   is angry, threatens a regulator/platform or a chargeback, mentions safety, is a complaint,
   when identification failed MAX_FAILURES times, or when it did not understand twice. After a
   hand-over it stays quiet (the transcript keeps growing for the agent).
2. Reads an order number / phone number when it asked for them (bot_identify.py).
3. Serves the intent: case status in words, order status, starting a return (the policy's
   eligibility and the portal link, plus the size guide when the reason is size), policy
   questions from the FAQ. Intents it cannot serve (cancel, change an order) get the FAQ's
   answer when there is one, otherwise a person.

Replies are in the customer's language when it is en, zh-Hans or zh-Hant (detected, or as the
channel says), else in the merchant's default language; strings go through gettext.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftercare.assistant import bot_identify as ident
from aftercare.assistant import bot_words as words
from aftercare.assistant.analysis import Analysis, analyse_text
from aftercare.assistant.faq import answer_question
from aftercare.assistant.labels import Intent, Reason
from aftercare.assistant.language import DEFAULT_LANGUAGES, chinese_script
from aftercare.assistant.models import BotSession, BotState
from aftercare.commerce.models import Order, OrderStatus
from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.models import Merchant
from aftercare.returns.states import TERMINAL_STATUSES

REPLY_LANGUAGES = ("en", "zh-Hans", "zh-Hant")
DJANGO_LANGUAGE = {"en": "en", "zh-Hans": "zh-hans", "zh-Hant": "zh-hant"}
LOW_CONFIDENCE = 0.5  # below this the bot is not sure what the customer wants
LOW_CONFIDENCE_LIMIT = 2  # turns in a conversation before a person takes over
TRANSCRIPT_LIMIT = 100
MAX_KEY = 128
MAX_TEXT = 4000
# Flags of assistant.sentiment and the hand-over reason each one gives, most serious first.
FLAG_REASONS = (
    ("safety", "safety"),
    ("chargeback", "chargeback"),
    ("threat_authority", "complaint_threat"),
    ("anger", "angry"),
)
# The classifier's rule catches most of these; a bare word typed alone must always work too.
# ("人工" inside a sentence may mean "artificial", as in 人工皮革: only alone or as 转人工.)
ASK_PERSON = re.compile(
    r"转人工|轉人工|人工客服|真人客服|"
    r"^\W*(?:人工|真人|客服|agent|human|operator|representative|a person)\W*$",
    re.IGNORECASE,
)
GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|good (?:morning|afternoon|evening)|你好|您好|在吗|在嗎|哈囉|哈喽|"
    r"hola|olá|oi|bonjour|hallo|こんにちは)\W*$",
    re.IGNORECASE,
)
THANKS = re.compile(
    r"^\W*(?:thanks?(?: you)?|thx|ok(?:ay)?|great|谢谢|謝謝|多谢|多謝|好的|好|收到)\W*$",
    re.IGNORECASE,
)
NEEDS_IDENTITY = frozenset(
    {
        Intent.CASE_STATUS,
        Intent.ORDER_STATUS,
        Intent.RETURN_REQUEST,
        Intent.EXCHANGE_REQUEST,
        Intent.REFUND_REQUEST,
        Intent.REPAIR_REQUEST,
    }
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str  # site-relative; the channel makes it absolute (or reads it out)


@dataclass(frozen=True)
class BotTurn:
    """The bot's answer to one message, and what an agent needs if a person takes over."""

    replies: list[str]
    links: list[Link]
    state: str
    language: str
    handover: bool
    handover_reason: str
    # intent, reason, sentiment, flags, language, customer/order/case ids, transcript, summary
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reply_to(
    *,
    merchant: Merchant,
    conversation_key: str,
    text: str,
    customer_id: int | None = None,
    language: str | None = None,
) -> BotTurn:
    """Answer one customer message of the conversation `conversation_key`."""
    key, text = _check_input(conversation_key, text, language)
    analysis = analyse_text(text, phone_region=merchant.default_phone_region)
    with transaction.atomic():
        session = _locked_session(merchant, key)
        turn = _Turn(merchant, session, text, analysis, customer_id, language)
        turn.run()
        session.save()
    return turn.result()


def hand_back(*, merchant: Merchant, conversation_key: str) -> BotSession | None:
    """A person gives the conversation back to the bot (the agent is done, or the channel
    opens a new chat under the same key): the bot answers again, starting afresh on what it
    did not understand, and still knows who the customer proved to be. None: no such
    conversation of this merchant."""
    with transaction.atomic():
        session = (
            BotSession.objects.select_for_update()
            .filter(merchant=merchant, conversation_key=conversation_key)
            .first()
        )
        if session is None or session.state != BotState.HANDED_OVER:
            return session
        session.state, session.low_confidence_turns = BotState.OPEN, 0
        session.save(update_fields=["state", "low_confidence_turns", "updated_at"])
        record_event(
            actor=Actor.system(merchant, label="assistant:bot"),
            subject=session,
            kind="assistant:bot_handed_back",
            data={"after": session.handover_reason},
        )
    return session


def take_over(*, merchant: Merchant, conversation_key: str, by: str) -> None:
    """A person answers the conversation themselves (an agent wrote in it): the bot stays
    quiet from now on, as after a hand-over, until hand_back()."""
    with transaction.atomic():
        session = _locked_session(merchant, conversation_key)
        if session.state == BotState.HANDED_OVER:
            return
        session.state, session.handover_reason = BotState.HANDED_OVER, "taken_over"
        session.handed_over_at = timezone.now()
        session.save(update_fields=["state", "handover_reason", "handed_over_at", "updated_at"])
        record_event(
            actor=Actor.system(merchant, label="assistant:bot"),
            subject=session,
            kind="assistant:bot_taken_over",
            data={"by": by},
        )


def _check_input(key: str, text: str, language: str | None) -> tuple[str, str]:
    errors = []
    key, text = (key or "").strip(), (text or "").strip()
    if not key or len(key) > MAX_KEY:
        errors.append({"loc": ["conversation_key"], "msg": "1-128 characters.", "type": "length"})
    if not text or len(text) > MAX_TEXT:
        errors.append({"loc": ["text"], "msg": "1-4000 characters.", "type": "length"})
    if language is not None and language not in DEFAULT_LANGUAGES:
        errors.append({"loc": ["language"], "msg": "unsupported", "type": "enum"})
    if errors:
        raise ValidationFailed("The bot message is not valid.", errors=errors)
    return key, text


def _locked_session(merchant: Merchant, key: str) -> BotSession:
    # get_or_create retries the read when a parallel first message created the row first.
    session, _created = BotSession.objects.get_or_create(merchant=merchant, conversation_key=key)
    return BotSession.objects.select_for_update().get(pk=session.pk)


def reply_language(
    merchant: Merchant, session: BotSession, analysis: Analysis, text: str, asked: str | None
) -> str:
    """The channel's word first; then what this message is written in, if it says enough;
    then what the conversation was in; then the merchant's default."""
    if asked in REPLY_LANGUAGES:
        return str(asked)
    known = session.language
    detected = analysis.language
    letters = sum(ch.isalpha() for ch in text)
    if detected in REPLY_LANGUAGES and letters >= 4:
        if detected.startswith("zh") and known.startswith("zh"):
            return chinese_script(text, default=known)  # no telling character: keep it
        return detected
    if known:
        return known
    if detected in REPLY_LANGUAGES and letters:
        return detected
    default = merchant.default_language
    return default if default in REPLY_LANGUAGES else "en"


class _Turn:
    """One message's handling: reads and changes the (locked) session, collects replies."""

    def __init__(
        self,
        merchant: Merchant,
        session: BotSession,
        text: str,
        analysis: Analysis,
        customer_id: int | None,
        language: str | None,
    ) -> None:
        self.merchant, self.session, self.text, self.analysis = merchant, session, text, analysis
        self.customer_id = customer_id
        self.replies: list[str] = []
        self.links: list[Link] = []
        self.handover_reason = ""
        self.case_ids: list[int] = []
        self.language = reply_language(merchant, session, analysis, text, language)

    # --- the turn -------------------------------------------------------------------------

    def run(self) -> None:
        session = self.session
        self._log("customer", self.text)
        session.last_analysis = self.analysis.as_dict()
        if session.state == BotState.HANDED_OVER:
            self.handover_reason = session.handover_reason
            return
        session.language = self.language
        with translation.override(DJANGO_LANGUAGE[self.language]):
            self._route()
        for reply in self.replies:
            self._log("bot", reply)

    def _route(self) -> None:
        session = self.session
        if session.customer_id is None and self.customer_id is not None:
            session.customer = ident.logged_in_customer(self.merchant, self.customer_id)
        reason = handover_trigger(self.analysis, self.text)
        if reason:
            self._hand_over(reason)
            return
        waiting = session.state in (BotState.AWAITING_ORDER, BotState.AWAITING_PHONE)
        if waiting and self._take_identifiers():
            return
        intent, confidence = self.analysis.intent, self.analysis.intent_confidence
        if intent == Intent.OTHER or confidence < LOW_CONFIDENCE:
            self._unsure()
            return
        self._serve(intent, self.analysis.reason)

    def _serve(self, intent: str, reason: str) -> None:
        session = self.session
        if intent in NEEDS_IDENTITY and not self._identified_for(intent):
            session.pending_intent, session.pending_reason = intent, reason
            if not self._take_identifiers():
                self._ask_for_order()
            return
        if intent == Intent.CASE_STATUS:
            self._case_status()
        elif intent == Intent.ORDER_STATUS:
            self._order_status()
        elif intent == Intent.REFUND_REQUEST and self._open_case_exists():
            self._case_status()  # "where is my refund" on a case already open
        elif intent in words.REQUEST_TYPE:
            self._start_request(intent, reason)
        elif intent == Intent.POLICY_QUESTION:
            if not self._faq():
                self._hand_over("no_faq_answer")
        elif not self._faq():
            self._hand_over(f"needs_person:{intent}")

    def _identified_for(self, intent: str) -> bool:
        session = self.session
        if session.order_id is not None:
            return True
        # A logged-in customer's case and order status need no order number; a request does.
        needs_order = intent in words.REQUEST_TYPE
        return session.customer_id is not None and not needs_order

    # --- identification -------------------------------------------------------------------

    def _ask_for_order(self) -> None:
        self.session.state = BotState.AWAITING_ORDER
        if self.session.customer_id is not None:
            self.replies.append(_("Which order is it about? Please send me the order number."))
        else:
            self.replies.append(
                _(
                    "I can look that up for you. Please send me your order number and the "
                    "phone number you used for the order."
                )
            )

    def _take_identifiers(self) -> bool:
        """Use an order number / phone in this message. False: the message offers neither."""
        session = self.session
        offered = ident.read_identifiers(self.text, region=self.merchant.default_phone_region)
        customer = session.customer
        if customer is not None and session.order_id is None:
            if not offered.order_numbers:
                return False
            number = offered.order_numbers[0]
            order = ident.order_of_customer(self.merchant, customer, number)
            self._identified(order, number)
            return True
        if offered.order_numbers:
            session.pending_order_number = offered.order_numbers[0]
        if offered.phone is None:
            if not offered.order_numbers:
                return False
            session.state = BotState.AWAITING_PHONE
            self.replies.append(_("Thank you. And the phone number on that order, please?"))
            return True
        if not session.pending_order_number:
            session.state = BotState.AWAITING_ORDER
            self.replies.append(_("Thank you. Now the order number, please."))
            return True
        number = session.pending_order_number
        self._identified(ident.verify_order(self.merchant, number, offered.phone), number)
        return True

    def _identified(self, order: Order | None, number: str) -> None:
        session = self.session
        session.pending_order_number = ""
        if order is None:
            ident.count_failure(self.merchant, number)
            session.failed_identifications += 1
            if session.failed_identifications >= ident.MAX_FAILURES:
                self._hand_over("identification_failed")
                return
            session.state = BotState.AWAITING_ORDER
            self.replies.append(
                _(
                    "I could not find an order with that order number and phone number. "
                    "Please check both and send them again."
                )
            )
            return
        session.order, session.customer = order, order.customer
        session.state, session.failed_identifications = BotState.OPEN, 0
        self.replies.append(
            _("Thank you, I have found your order %(number)s.") % {"number": number}
        )
        intent, reason = session.pending_intent, session.pending_reason
        session.pending_intent = session.pending_reason = ""
        if intent:
            self._serve(intent, reason or Reason.OTHER)
        else:
            self.replies.append(_("How can I help you with it?"))

    # --- serving ----------------------------------------------------------------------------

    def _cases(self) -> list[Any]:
        session = self.session
        cases = words.cases_to_report(
            self.merchant,
            order=session.order,
            customer_id=session.customer_id if session.order_id is None else None,
        )
        named = set(self.analysis.entities.get("case_numbers", []))
        if named and any(c.number in named for c in cases):
            cases = [c for c in cases if c.number in named]
        return cases

    def _open_case_exists(self) -> bool:
        return any(c.status not in TERMINAL_STATUSES for c in self._cases())

    def _case_status(self) -> None:
        cases = self._cases()
        if not cases:
            self.replies.append(
                _(
                    "I cannot see a return or refund request for this order yet. If you would "
                    "like to start one, just tell me what is wrong with the item."
                )
            )
            return
        for case in cases:
            self.case_ids.append(case.pk)
            self.replies.append(words.case_status_sentence(case))
        self._portal_link(_("See your request"))

    def _order_status(self) -> None:
        order = self.session.order
        if order is None and self.session.customer is not None:
            order = self.session.customer.orders.order_by("-placed_at", "-pk").first()
        if order is None:
            self._ask_for_order()
            return
        self.replies.append(words.order_status_sentence(order))
        if order.status == OrderStatus.DELIVERED:
            self.replies.append(
                _(
                    "If it has not reached you, just say so and a colleague will check with "
                    "the courier."
                )
            )

    def _start_request(self, intent: str, reason: str) -> None:
        order = self.session.order
        assert order is not None  # _identified_for() made sure
        result = words.eligibility(self.merchant, order, intent=intent, reason=reason)
        if result.no_policy or result.eligible:
            if result.eligible:
                self.replies.append(
                    _("Good news: you can ask for this online.") + "\n" + "\n".join(result.eligible)
                )
            self.replies.append(
                _(
                    "Start your request on our returns page: sign in with order number "
                    "%(number)s and your phone number, then choose the items and the reason."
                )
                % {"number": order.external_id}
            )
            self._portal_link(_("Start a return"))
        else:
            self.replies.append(
                _("I am sorry, our return policy does not allow this right now:")
                + "\n"
                + "\n".join(result.refused)
            )
            self.replies.append(
                _("If you think this is wrong, type “agent” and a colleague will look at it.")
            )
        if reason == Reason.SIZE:
            self.replies.append(words.size_guide(self.merchant, self.language))

    def _faq(self) -> bool:
        answer = answer_question(merchant=self.merchant, question=self.text, language=self.language)
        if answer.handover or not answer.answer:
            return False
        self.replies.append(answer.answer)
        return True

    def _unsure(self) -> None:
        if GREETING.match(self.text):
            self.replies.append(self._menu(_("Hello! Welcome to %(shop)s.")))
            return
        if THANKS.match(self.text):
            self.replies.append(_("You are welcome. Is there anything else I can do for you?"))
            return
        offered = ident.read_identifiers(self.text, region=self.merchant.default_phone_region)
        if offered.order_numbers and offered.phone and self._take_identifiers():
            return  # just an order number and a phone: identify, then ask what they need
        if self._faq():
            return
        self.session.low_confidence_turns += 1
        if self.session.low_confidence_turns >= LOW_CONFIDENCE_LIMIT:
            self._hand_over("low_confidence")
            return
        self.replies.append(self._menu(_("Sorry, I did not quite understand.")))

    def _menu(self, opening: str) -> str:
        opening = opening % {"shop": self.merchant.name}
        space = "" if self.language.startswith("zh") else " "  # Chinese runs sentences on
        return (
            opening
            + space
            + _(
                "I can tell you where your return or refund is, help you start a return or "
                "exchange, and answer questions about our policy. Type “agent” at any time to "
                "talk to a person."
            )
        )

    def _portal_link(self, label: str) -> None:
        link = Link(label, words.portal_link(self.merchant))
        if link not in self.links:
            self.links.append(link)

    # --- hand-over ----------------------------------------------------------------------------

    def _hand_over(self, reason: str) -> None:
        session = self.session
        session.state, session.handover_reason = BotState.HANDED_OVER, reason
        session.handed_over_at = timezone.now()
        self.handover_reason = reason
        self.replies.append(_handover_words(reason))
        record_event(
            actor=Actor.system(self.merchant, label="assistant:bot"),
            subject=session,
            kind="assistant:bot_handover",
            data={"reason": reason, "intent": self.analysis.intent},
        )

    # --- bookkeeping ----------------------------------------------------------------------------

    def _log(self, role: str, text: str) -> None:
        entry = {"role": role, "text": text, "at": timezone.now().isoformat()}
        self.session.transcript = [*self.session.transcript, entry][-TRANSCRIPT_LIMIT:]

    def result(self) -> BotTurn:
        session = self.session
        return BotTurn(
            replies=self.replies,
            links=self.links,
            state=session.state,
            language=self.language,
            handover=session.state == BotState.HANDED_OVER,
            handover_reason=self.handover_reason or session.handover_reason,
            summary=self._summary(),
        )

    def _summary(self) -> dict[str, Any]:
        session, analysis = self.session, self.analysis
        order = session.order
        return {
            "intent": analysis.intent,
            "intent_confidence": analysis.intent_confidence,
            "reason": analysis.reason,
            "sentiment": analysis.sentiment,
            "flags": analysis.flags,
            "language": analysis.language,
            "customer_id": session.customer_id,
            "order_id": session.order_id,
            "order_number": order.external_id if order is not None else "",
            "case_ids": self.case_ids,
            "handover_reason": session.handover_reason,
            "transcript": session.transcript,
        }


def handover_trigger(analysis: Analysis, text: str) -> str:
    """Why this message needs a person at once ('' when it does not)."""
    if analysis.intent == Intent.HUMAN_AGENT or ASK_PERSON.search(text):
        return "asked_for_person"
    for flag, reason in FLAG_REASONS:
        if flag in analysis.flags:
            return reason
    # A complaint the classifier is unsure of is read as "not understood" instead.
    if analysis.intent == Intent.COMPLAINT and analysis.intent_confidence >= LOW_CONFIDENCE:
        return "complaint"
    return ""


def _handover_words(reason: str) -> str:
    if reason == "asked_for_person":
        return _(
            "Of course. I am passing you to a colleague now; they can see everything we have "
            "talked about, so you will not need to repeat yourself."
        )
    if reason in ("angry", "complaint", "complaint_threat", "chargeback"):
        return _(
            "I am sorry about this. I am bringing in a colleague who can sort it out with you "
            "right away; they can see our whole conversation."
        )
    if reason == "safety":
        return _(
            "Thank you for telling us. For your safety, please stop using the item. A colleague "
            "is taking over now and will contact you as a priority."
        )
    if reason == "identification_failed":
        return _(
            "I could not confirm the order details, so I am passing you to a colleague who "
            "can check them with you."
        )
    if reason == "low_confidence":
        return _(
            "I am sorry I am not getting this right. A colleague will take over from here and "
            "can see what you wrote."
        )
    return _("A colleague will help you with this; I have passed on what you wrote.")
