"""The bot, scripted conversation by conversation, against the real database and policy engine.

Each test is a customer typing into one conversation; the bot's replies are read as a customer
would read them (words, amounts, dates, links), and the session row says what the agent gets.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from aftercare.assistant.bot import hand_back, reply_to
from aftercare.assistant.models import BotSession
from aftercare.assistant.tests.bot_helpers import PHONE_TYPED, case_in, make_shop
from aftercare.core.errors import ValidationFailed
from aftercare.core.models import AuditEvent
from aftercare.policies.tests.factories import delivered_order


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the per-order failure counters live there


@pytest.fixture
def shop(merchant, store):  # type: ignore[no-untyped-def]
    return make_shop(merchant, store)


def _today(merchant, language: str) -> str:  # type: ignore[no-untyped-def]
    day = timezone.now().astimezone(ZoneInfo(merchant.timezone))
    return f"{day.day} {day:%b}" if language == "en" else f"{day.month}月{day.day}日"


def test_english_refund_status_after_order_number_and_phone(shop) -> None:  # type: ignore[no-untyped-def]
    case = case_in(shop, "refunded")

    first = shop.say("web:1", "Hi, where is my refund?")
    second = shop.say("web:1", shop.order.external_id)
    third = shop.say("web:1", PHONE_TYPED)

    assert first.language == "en" and first.state == "awaiting_order"
    assert "order number" in first.replies[0] and "phone number" in first.replies[0]
    assert second.state == "awaiting_phone" and "phone number" in second.replies[0]
    assert third.state == "open" and not third.handover
    assert third.replies[1] == (
        f"Your refund of {case.refund_total:.2f} CNY for {case.number} was sent on "
        f"{_today(shop.merchant, 'en')}."
    )
    assert [link.url for link in third.links] == ["/portal/acme/order/"]
    # A real portal page: a browser that has not verified the order is sent to sign in.
    assert Client().get(third.links[0].url).url == "/portal/acme/"
    assert third.summary["order_id"] == shop.order.pk
    assert third.summary["case_ids"] == [case.pk]


def test_simplified_chinese_both_identifiers_in_one_message(merchant, store) -> None:  # type: ignore[no-untyped-def]
    shop = make_shop(merchant, store, preset="custom")  # refunds after the inspection
    case = case_in(shop, "received")
    due = case.inspection_due_at.astimezone(ZoneInfo(merchant.timezone))

    turn = shop.say(
        "sms:1", f"你好，我寄回的包裹你们收到了吗？订单号{shop.order.external_id}，手机13912345678"
    )

    assert turn.language == "zh-Hans" and turn.state == "open"
    assert turn.replies[0] == f"谢谢，已经找到您的订单 {shop.order.external_id}。"
    date = _today(shop.merchant, "zh")
    assert turn.replies[1].startswith(f"申请 {case.number} 的包裹我们已于{date}签收")
    assert turn.replies[1].endswith(f"最晚{due.month}月{due.day}日前完成验货。")


def test_traditional_chinese_logged_in_customer_starts_a_return_for_size(shop) -> None:  # type: ignore[no-untyped-def]
    customer = shop.order.customer

    ask = shop.say("app:1", "我想退貨，尺碼太小了穿不下", customer_id=customer.pk)
    turn = shop.say("app:1", f"訂單 {shop.order.external_id}", customer_id=customer.pk)

    assert ask.language == "zh-Hant" and ask.state == "awaiting_order"
    assert ask.replies == ["請問是哪一筆訂單呢？麻煩發一下訂單編號。"]
    text = "\n".join(turn.replies)
    assert turn.replies[1].startswith("好消息：這筆訂單可以線上申請。")
    assert shop.lines[0].name in text
    assert f"用訂單編號 {shop.order.external_id} 和手機號碼登入" in text
    assert "關於尺碼" in turn.replies[-1]  # the size-exchange guide follows a size reason
    assert [link.url for link in turn.links] == ["/portal/acme/order/"]
    assert turn.summary["customer_id"] == customer.pk


def test_a_merchants_own_size_guide_replaces_the_default(shop) -> None:  # type: ignore[no-untyped-def]
    from aftercare.assistant.models import FaqEntry

    FaqEntry.objects.create(
        merchant=shop.merchant,
        key="size-exchange-guide",
        questions={"en": ["size guide"]},
        answers={"en": "Our trainers run small: pick one size up. Exchanges are free."},
    )
    number = shop.order.external_id
    shop.say("web:2", f"these shoes are too small, I want to return them. order {number}")

    turn = shop.say("web:2", PHONE_TYPED)

    assert turn.replies[-1] == "Our trainers run small: pick one size up. Exchanges are free."


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("awaiting_return_shipment", "is approved. Please send the item back by"),
        ("in_transit", "is on its way to us (tracking SF1)"),
        ("refund_processing", "is on its way; it will be sent by"),
    ],
)
def test_case_status_in_words(shop, status: str, words: str) -> None:  # type: ignore[no-untyped-def]
    case = case_in(shop, status)

    shop.say("web:3", "what's the status of my return?")
    turn = shop.say("web:3", f"{shop.order.external_id} {PHONE_TYPED}")

    assert case.number in turn.replies[1] and words in turn.replies[1], turn.replies


def test_review_status_names_the_review_deadline(merchant, store) -> None:  # type: ignore[no-untyped-def]
    shop = make_shop(merchant, store, preset="custom")  # everything goes to review
    case = case_in(shop, "under_review")

    shop.say("web:4", "any update on my return request?")
    turn = shop.say("web:4", f"{shop.order.external_id} {PHONE_TYPED}")

    due = case.review_due_at.astimezone(ZoneInfo(merchant.timezone))
    assert turn.replies[1] == (
        f"We have your request {case.number} and are reviewing it; you will hear from us by "
        f"{due.day} {due:%b}."
    )


def test_no_case_yet_offers_to_start_one(shop) -> None:  # type: ignore[no-untyped-def]
    shop.say("web:5", "where is my refund?")

    turn = shop.say("web:5", f"{shop.order.external_id} {PHONE_TYPED}")

    assert "cannot see a return or refund request" in turn.replies[1]


def test_wrong_phone_and_unknown_order_get_the_same_answer_then_a_person(shop) -> None:  # type: ignore[no-untyped-def]
    shop.say("web:6", "I'd like to return my order")

    wrong_phone = shop.say("web:6", f"{shop.order.external_id} 13800000000")
    no_order = shop.say("web:6", "SO99999999 13912345678")
    third = shop.say("web:6", f"{shop.order.external_id} 13700000000")

    assert wrong_phone.replies == no_order.replies
    assert wrong_phone.state == no_order.state == "awaiting_order"
    assert third.handover and third.handover_reason == "identification_failed"
    session = BotSession.objects.get(conversation_key="web:6")
    assert session.order is None and session.customer is None


def test_a_new_conversation_does_not_buy_more_guesses_at_one_order(shop) -> None:  # type: ignore[no-untyped-def]
    guesses = [
        shop.say(f"guess:{n}", f"order {shop.order.external_id} phone 1380000000{n}")
        for n in range(5)
    ]

    right = shop.say("guess:last", f"order {shop.order.external_id} phone {PHONE_TYPED}")

    # The order is locked for a while: even the right phone gets the failure answer.
    assert right.replies == guesses[0].replies and right.summary["order_id"] is None


def test_another_merchants_order_is_never_found(shop, other_merchant) -> None:  # type: ignore[no-untyped-def]
    from aftercare.core.testing import StoreFactory

    theirs, _lines = delivered_order(other_merchant, StoreFactory(merchant=other_merchant))
    theirs.customer.phone = "+8613911112222"
    theirs.customer.save(update_fields=["phone"])

    shop.say("web:7", "where is my refund")
    turn = shop.say("web:7", f"{theirs.external_id} 139 1111 2222")
    logged_in = shop.say("web:8", "where is my refund", customer_id=theirs.customer.pk)

    assert "could not find an order" in turn.replies[0]
    assert theirs.external_id not in " ".join(turn.replies)
    assert logged_in.state == "awaiting_order"  # their customer id means nobody here
    assert BotSession.objects.get(conversation_key="web:8").customer is None


@pytest.mark.parametrize(
    ("text", "reason", "language"),
    [
        ("人工", "asked_for_person", "zh-Hans"),
        ("轉人工", "asked_for_person", "zh-Hant"),
        ("agent", "asked_for_person", "zh-Hans"),  # one bare word: the merchant's default
        ("can I talk to a human please", "asked_for_person", "en"),
        ("I'm disputing this with my bank, chargeback today", "chargeback", "en"),
        ("再不处理我就去12315投诉你们", "complaint_threat", "zh-Hans"),
        ("the charger got so hot it started smoking", "safety", "en"),
        ("你們到底在搞什麼，氣死我了，爛透了", "angry", "zh-Hant"),
    ],
)
def test_hand_over_triggers(shop, text: str, reason: str, language: str) -> None:  # type: ignore[no-untyped-def]
    turn = shop.say("web:9", text)
    after = shop.say("web:9", "hello? anyone there?")

    assert turn.handover and turn.handover_reason == reason, turn.summary
    assert turn.language == language and turn.replies
    assert after.handover and after.replies == []  # the bot stays quiet for the agent
    session = BotSession.objects.get(conversation_key="web:9")
    assert session.state == "handed_over" and session.handover_reason == reason
    assert [t["role"] for t in session.transcript] == ["customer", "bot", "customer"]
    assert AuditEvent.objects.filter(kind="assistant:bot_handover").count() == 1


def test_hand_over_mid_identification_keeps_what_was_learned(shop) -> None:  # type: ignore[no-untyped-def]
    case = case_in(shop, "refunded")
    shop.say("web:10", "where is my refund?")
    shop.say("web:10", f"{shop.order.external_id} {PHONE_TYPED}")

    turn = shop.say("web:10", "this is taking forever, I want a real person")

    assert turn.handover and turn.handover_reason == "asked_for_person"
    summary = turn.summary
    assert summary["order_id"] == shop.order.pk and summary["customer_id"] == shop.order.customer_id
    assert summary["intent"] == "human_agent"
    roles = [entry["role"] for entry in summary["transcript"]]
    assert roles == ["customer", "bot", "customer", "bot", "bot", "customer", "bot"]
    assert case.number in summary["transcript"][4]["text"]


def test_not_understanding_twice_hands_over(shop) -> None:  # type: ignore[no-untyped-def]
    first = shop.say("web:11", "purple monkey dishwasher")
    second = shop.say("web:11", "qwxz vbnm lkjh")

    assert not first.handover and "did not quite understand" in first.replies[0]
    assert second.handover and second.handover_reason == "low_confidence"


def test_greetings_and_thanks_are_not_misunderstandings(shop) -> None:  # type: ignore[no-untyped-def]
    for text in ("hello", "thanks", "你好", "谢谢"):
        turn = shop.say("web:12", text)
        assert not turn.handover, text

    assert BotSession.objects.get(conversation_key="web:12").low_confidence_turns == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How many days do I have to return something?", "7 days"),
        ("退货期限是几天？", "7天"),
        ("退貨期限是幾天？", "7天"),
    ],
)
def test_policy_questions_are_answered_from_the_faq(shop, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    turn = shop.say("web:13", text)

    assert not turn.handover and expected in turn.replies[0], turn.replies


def test_an_order_past_the_window_is_refused_with_the_policys_words(merchant, store) -> None:  # type: ignore[no-untyped-def]
    shop = make_shop(merchant, store)
    old, _ = delivered_order(merchant, store, delivered_at=timezone.now() - timedelta(days=60))
    old.customer.phone = "+8613955556666"
    old.customer.save(update_fields=["phone"])

    shop.say("web:14", "I changed my mind and want to return it")
    turn = shop.say("web:14", f"{old.external_id} 13955556666")

    assert "our return policy does not allow this right now" in turn.replies[1]
    assert "agent" in turn.replies[2] and not turn.links


def test_reply_language_falls_back_to_the_merchants_default(shop) -> None:  # type: ignore[no-untyped-def]
    spanish = shop.say("web:15", "Hola, ¿dónde está mi reembolso?")
    told = shop.say("web:16", "12345678", language="zh-Hant")

    assert spanish.language == "zh-Hans"  # Acme's default: we reply in it, not in Spanish
    assert told.language == "zh-Hant"


def test_bad_input_changes_nothing(merchant) -> None:  # type: ignore[no-untyped-def]
    for kwargs in (
        {"conversation_key": "", "text": "hi"},
        {"conversation_key": "k", "text": "   "},
        {"conversation_key": "k" * 129, "text": "hi"},
        {"conversation_key": "k", "text": "hi", "language": "xx"},
    ):
        with pytest.raises(ValidationFailed):
            reply_to(merchant=merchant, **kwargs)  # type: ignore[arg-type]

    assert not BotSession.objects.exists()


def test_handed_back_the_bot_answers_again_and_remembers_the_order(shop) -> None:  # type: ignore[no-untyped-def]
    case = case_in(shop, "refunded")
    shop.say("web:17", f"refund status please, order {shop.order.external_id} {PHONE_TYPED}")
    shop.say("web:17", "agent")

    session = hand_back(merchant=shop.merchant, conversation_key="web:17")
    turn = shop.say("web:17", "where is my refund now?")

    assert session is not None and session.state == "open"
    assert not turn.handover and case.number in turn.replies[0]
    assert hand_back(merchant=shop.merchant, conversation_key="nope") is None


def test_another_merchant_cannot_hand_back_a_conversation(shop, other_merchant) -> None:  # type: ignore[no-untyped-def]
    shop.say("web:18", "agent")

    assert hand_back(merchant=other_merchant, conversation_key="web:18") is None
    assert BotSession.objects.get(conversation_key="web:18").state == "handed_over"


def test_order_status_for_a_delivered_order_offers_a_courier_check(shop) -> None:  # type: ignore[no-untyped-def]
    shop.say("web:19", "my parcel hasn't arrived yet, where is it?")

    turn = shop.say("web:19", f"order {shop.order.external_id}, phone {PHONE_TYPED}")

    delivered = shop.order.shipments.get().delivered_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert turn.replies[1] == (
        f"Order {shop.order.external_id} was delivered on {delivered.day} {delivered:%b}."
    )
    assert "check with the courier" in turn.replies[2]
