from aftercare.assistant.actions import install_default_faq
from aftercare.assistant.faq import answer_question
from aftercare.assistant.models import FaqEntry
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant
from aftercare.policies.actions import add_version, install_preset
from aftercare.policies.presets import PRESETS
from aftercare.policies.queries import active_version
from aftercare.policies.spec import Windows


def test_install_is_idempotent_and_keeps_edits(merchant: Merchant, system_actor: Actor) -> None:
    install_default_faq(actor=system_actor)
    entry = FaqEntry.objects.get(merchant=merchant, key="refund-method")
    entry.answers = {"en": "Our own wording."}
    entry.save()

    install_default_faq(actor=system_actor)

    assert FaqEntry.objects.filter(merchant=merchant).count() == 12
    entry.refresh_from_db()
    assert entry.answers == {"en": "Our own wording."}


def test_policy_questions_are_answered_in_the_customers_language(
    merchant: Merchant, system_actor: Actor
) -> None:
    install_preset(actor=system_actor, name="china_7day")
    install_default_faq(actor=system_actor)

    zh = answer_question(merchant=merchant, question="请问退货的运费是谁出？")
    hant = answer_question(merchant=merchant, question="退貨運費誰付呢")
    en = answer_question(merchant=merchant, question="who pays the return shipping?")

    assert (zh.handover, zh.entry_key, zh.language) == (False, "return-shipping-fee", "zh-Hans")
    assert "我们" in (zh.answer or "")
    assert (hant.entry_key, hant.language) == ("return-shipping-fee", "zh-Hant")
    assert "運費" in (hant.answer or "")
    assert en.entry_key == "return-shipping-fee" and "we pay" in (en.answer or "")


def test_unrelated_questions_hand_over(merchant: Merchant, system_actor: Actor) -> None:
    install_preset(actor=system_actor, name="china_7day")
    install_default_faq(actor=system_actor)

    for question in ("你们老板是谁", "can you sing me a song", "???"):
        result = answer_question(merchant=merchant, question=question)
        assert result.handover and result.answer is None, (question, result)


def test_answers_follow_the_active_policy(merchant: Merchant, system_actor: Actor) -> None:
    install_preset(actor=system_actor, name="china_7day")
    install_default_faq(actor=system_actor)
    before = answer_question(merchant=merchant, question="几天内可以退货？")
    policy = active_version(merchant).policy  # type: ignore[union-attr]
    spec = PRESETS["china_7day"]().model_copy(update={"windows": Windows(return_days=30)})

    add_version(actor=system_actor, policy=policy, spec=spec)
    after = answer_question(merchant=merchant, question="几天内可以退货？")

    assert "7天" in (before.answer or "")
    assert "30天" in (after.answer or "")


def test_policy_answers_hand_over_without_a_policy(merchant: Merchant, system_actor: Actor) -> None:
    install_default_faq(actor=system_actor)

    result = answer_question(merchant=merchant, question="How many days do I have to return?")

    assert result.handover and result.entry_key == "return-window"


def test_another_merchants_entries_are_never_used(
    merchant: Merchant, other_merchant: Merchant, system_actor: Actor
) -> None:
    install_default_faq(actor=system_actor)

    result = answer_question(merchant=other_merchant, question="退款会退到哪里？")

    assert result.handover and result.entry_key is None


def test_edits_are_seen_at_once(merchant: Merchant, system_actor: Actor) -> None:
    install_default_faq(actor=system_actor)
    assert answer_question(merchant=merchant, question="退款退到哪里？").answer
    entry = FaqEntry.objects.get(merchant=merchant, key="refund-method")
    entry.is_active = False
    entry.save()

    assert answer_question(merchant=merchant, question="退款退到哪里？").handover
