from aftercare.assistant.classifier import HELDOUT_FILE, load_examples
from aftercare.assistant.language import chinese_script, detect_language


def test_scripts_and_latin_languages_are_told_apart() -> None:
    assert detect_language("我要退货，尺码太小了") == "zh-Hans"
    assert detect_language("我要退貨，尺寸太小了") == "zh-Hant"
    assert detect_language("I would like to return my shoes") == "en"
    assert detect_language("Quiero devolver los zapatos, por favor") == "es"
    assert detect_language("返品したいです") == "ja"


def test_only_the_merchants_languages_are_chosen() -> None:
    assert detect_language("Quiero devolver los zapatos", ["en", "zh-Hans"]) == "en"
    assert detect_language("退貨", ["en", "zh-Hans"]) == "zh-Hans"


def test_text_without_script_specific_characters_takes_the_default() -> None:
    assert chinese_script("我要人工", default="zh-Hant") == "zh-Hant"


def test_language_accuracy_on_the_held_out_set_is_at_least_98_percent() -> None:
    rows = [e for e in load_examples(HELDOUT_FILE) if len(e.text) >= 10]

    right = sum(detect_language(e.text) == e.language for e in rows)

    assert len(rows) > 200
    assert right / len(rows) >= 0.98, right / len(rows)
