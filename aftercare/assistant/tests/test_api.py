from aftercare.assistant.actions import install_default_faq
from aftercare.core.actors import Actor
from aftercare.core.testing import ApiCaller, api_caller
from aftercare.merchants.models import Merchant
from aftercare.policies.actions import install_preset


def test_analyse_returns_every_field(api: ApiCaller) -> None:
    response = api.post(
        "/api/v1/assistant/analyse", {"text": "订单 2024051866321 的鞋子小了，想换大一码"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["language"] == "zh-Hans"
    assert body["intent"] == "exchange_request"
    assert body["entities"]["order_numbers"] == ["2024051866321"]


def test_analyse_limits_languages_and_refuses_unknown_ones(api: ApiCaller) -> None:
    ok = api.post("/api/v1/assistant/analyse", {"text": "devolver", "languages": ["en"]})
    bad = api.post("/api/v1/assistant/analyse", {"text": "hi", "languages": ["xx"]})

    assert ok.json()["language"] == "en"
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"


def test_answer_and_handover(merchant: Merchant, system_actor: Actor, api: ApiCaller) -> None:
    install_preset(actor=system_actor, name="china_7day")
    install_default_faq(actor=system_actor)

    found = api.post("/api/v1/assistant/answer", {"question": "退款多久到账？"})
    unsure = api.post("/api/v1/assistant/answer", {"question": "你们老板是谁"})

    assert found.json()["handover"] is False and found.json()["entry_key"] == "refund-timing"
    assert "1个工作日" in found.json()["answer"]  # china_7day reviews within 1 business day
    assert unsure.json() == {**unsure.json(), "answer": None, "handover": True}


def test_a_key_without_assistant_use_is_refused(merchant: Merchant) -> None:
    caller = api_caller(merchant, ["commerce.read"])

    response = caller.post("/api/v1/assistant/analyse", {"text": "hi"})

    assert response.status_code == 403
