import pytest

from aftercare.assistant.analysis import analyse_text
from aftercare.assistant.classifier import HELDOUT_FILE, current_model, load_examples
from aftercare.assistant.evaluation import evaluate


@pytest.fixture(scope="module")
def scores():  # type: ignore[no-untyped-def]
    return evaluate(current_model(), load_examples(HELDOUT_FILE))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want to return these boots", "return_request"),
        ("where is my parcel? ordered last week", "order_status"),
        ("我要退款", "refund_request"),
        ("帮我取消订单", "cancel_order"),
        ("請問退貨運費誰付", "policy_question"),
        ("轉人工", "human_agent"),
        ("talk to a human please", "human_agent"),
        ("再不处理我就打12315", "complaint"),
        ("I'm going to file a chargeback", "complaint"),
    ],
)
def test_clear_messages_get_their_intent(text: str, intent: str) -> None:
    assert analyse_text(text).intent == intent


def test_reason_is_found_next_to_the_intent() -> None:
    result = analyse_text("鞋子小了一码，想换大一码")

    assert (result.intent, result.reason) == ("exchange_request", "size")


def test_gibberish_is_other_with_low_confidence() -> None:
    result = analyse_text("qzx vbnm plkj")

    assert result.intent == "other" or result.intent_confidence < 0.5


# Quality bar of issue 7, on the hand-written held-out file (never generated from the
# training banks; test_training_data checks no text is shared). Enforced: a data or model
# change that drops a figure below the bar fails here, with the measured figures shown.


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
def test_intent_macro_f1_per_primary_language_is_at_least_090(scores, language: str) -> None:  # type: ignore[no-untyped-def]
    assert scores.intent_by_language[language].macro_f1 >= 0.90, scores.summary()


def test_reason_macro_f1_is_at_least_085(scores) -> None:  # type: ignore[no-untyped-def]
    assert scores.reason.macro_f1 >= 0.85, scores.summary()


def test_other_languages_are_usable(scores) -> None:  # type: ignore[no-untyped-def]
    for language in ("es", "pt", "fr", "de", "ja"):
        assert scores.intent_by_language[language].accuracy >= 0.6, (language, scores.summary())
