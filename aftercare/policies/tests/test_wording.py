"""The trace rendered as sentences a customer reads, in en, zh-Hans and zh-Hant."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftercare.policies.domain import RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.presets import china_7day
from aftercare.policies.tests.builders import facts, line, order, request
from aftercare.policies.wording import normalise_language, render_trace


def _auto_approved():  # type: ignore[no-untyped-def]
    return evaluate(china_7day(), facts(the_request=request(after=timedelta(days=3))))


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "en",
            "Requested within 7 days of delivery (3 days), no-reason return, unopened: "
            "approved automatically.",
        ),
        ("zh-Hans", "签收后第3天申请（7天内可退），无理由退货，商品未拆封：已自动同意。"),
        ("zh-Hant", "簽收後第3天申請（7天內可退），無理由退貨，商品未拆封：已自動同意。"),
    ],
)
def test_auto_approval_in_three_languages(language: str, sentence: str) -> None:
    assert render_trace(_auto_approved(), language)[0] == sentence


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "en",
            "Requested within 7 days of delivery (2 days), personal care items cannot be "
            "returned once opened: not eligible.",
        ),
        (
            "zh-Hans",
            "签收后第2天申请（7天内可退），个人护理用品拆封后不支持无理由退货：不符合售后条件。",
        ),
        (
            "zh-Hant",
            "簽收後第2天申請（7天內可退），個人護理用品拆封後不支援無理由退貨：不符合售後條件。",
        ),
    ],
)
def test_exclusion_in_three_languages(language: str, sentence: str) -> None:
    decision = evaluate(
        china_7day(),
        facts(
            order(line(1, is_hygiene=True)),
            request(lines=(RequestLine(1, 1, "opened"),), after=timedelta(days=2)),
        ),
    )
    assert render_trace(decision, language)[0] == sentence


def test_expired_window_and_flagged_review() -> None:
    late = evaluate(china_7day(), facts(the_request=request(after=timedelta(days=9))))
    flagged = evaluate(china_7day(), facts(risk_tags=frozenset({"fraud"})))

    assert render_trace(late, "zh-Hans")[0] == "签收已9天，超过7天的期限：不符合售后条件。"
    assert render_trace(late, "en")[0] == (
        "Requested 9 days after delivery, past the 7-day window: not eligible."
    )
    assert render_trace(flagged, "en")[0] == (
        "Requested within 7 days of delivery (3 days), your account needs a manual check, "
        "per the rule “Flagged customers go to review”: our team will review this request."
    )
    assert "帳戶需人工核實" in render_trace(flagged, "zh-Hant")[0]


def test_shipping_sentences() -> None:
    defect = evaluate(
        china_7day(),
        facts(order(shipping_fee=Decimal("8.00")), request(reason="quality_defect")),
    )
    assert render_trace(defect, "en")[1:] == [
        "Return shipping is paid by the merchant.",
        "The original shipping fee of 8.00 is refunded too.",
    ]
    assert render_trace(defect, "zh-Hans")[1:] == ["退货运费由商家承担。", "原运费8.00一并退还。"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("zh-hant", "zh-Hant"),
        ("zh_TW", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("fr", "en"),
        (None, "en"),
    ],
)
def test_language_codes_are_normalised(given: str | None, expected: str) -> None:
    assert normalise_language(given) == expected
