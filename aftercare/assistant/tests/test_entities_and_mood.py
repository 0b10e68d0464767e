from aftercare.assistant.entities import extract_entities
from aftercare.assistant.sentiment import assess


def test_identifiers_in_a_message_are_found() -> None:
    text = (
        "订单号 2024051866321 退款¥99.00 还没到, RMA-10023, 快递 SF1234567890 / 1Z999AA10123456784,"
        " 电话 138 1234 5678, mail me: li.lei@example.com, also paid $45.5 and 30元"
    )

    found = extract_entities(text)

    assert found["order_numbers"] == ["2024051866321"]
    assert found["case_numbers"] == ["RMA-10023"]
    assert found["tracking_numbers"] == ["SF1234567890", "1Z999AA10123456784"]
    assert found["phones"] == ["+8613812345678"]
    assert found["emails"] == ["li.lei@example.com"]
    assert {"value": "99.00", "currency": "CNY"} in found["amounts"]
    assert {"value": "45.5", "currency": "USD"} in found["amounts"]
    assert {"value": "30", "currency": "CNY"} in found["amounts"]


def test_a_hash_order_number_and_no_false_phone() -> None:
    found = extract_entities("order #5521983 arrived broken")

    assert found["order_numbers"] == ["5521983"]
    assert found["phones"] == []


def test_flags_for_authority_chargeback_safety_and_anger() -> None:
    assert "threat_authority" in assess("再不退款我就打12315投诉").flags
    assert "threat_authority" in assess("I will report you to the BBB").flags
    assert "chargeback" in assess("I'm calling my bank for a chargeback").flags
    assert "safety" in assess("充电器起火了，差点烧到孩子").flags
    assert "safety" in assess("the charger caught fire").flags
    assert "anger" in assess("气死了，什么垃圾店").flags


def test_tracking_digits_are_not_a_hotline_number() -> None:
    assert "threat_authority" not in assess("tracking SF1234567890").flags


def test_sentiment_polarity() -> None:
    assert assess("谢谢，太好了").sentiment == "positive"
    assert assess("the zipper is broken and one part is missing").sentiment == "negative"
    assert assess("when does it ship").sentiment == "neutral"


def test_our_own_case_numbers_are_read_whole_and_never_as_a_phone() -> None:
    found = extract_entities("Any news on RMA-2026-000123? Or rma_2026 000124, call 138 1234 5678")

    assert found["case_numbers"] == ["RMA-2026-000123", "RMA-2026-000124"]
    assert found["phones"] == ["+8613812345678"]


def test_a_short_case_number_does_not_swallow_the_phone_after_it() -> None:
    found = extract_entities("RMA-10023 138 1234 5678")

    assert found["case_numbers"] == ["RMA-10023"]
    assert found["phones"] == ["+8613812345678"]
