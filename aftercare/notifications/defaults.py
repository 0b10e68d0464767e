"""The shipped template of every event x channel x language, and the merchant's overrides.

A merchant's MessageTemplate row wins; without one the default below is used, so every event
has wording in zh-Hans, zh-Hant and en from the first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from aftercare.notifications.models import Channel, MessageTemplate
from aftercare.notifications.wording import FRAMES, WORDING

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class TemplateText:
    subject: str
    body: str
    html_body: str = ""  # empty: the email's HTML is made from the rendered body


def normalise_language(language: str | None, fallback: str = FALLBACK_LANGUAGE) -> str:
    """Map what a customer record or browser says to one of LANGUAGES."""
    value = (language or "").replace("_", "-").lower()
    if value in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}:
        return "zh-Hant"
    if value.startswith("zh"):
        return "zh-Hans"
    if value.startswith("en"):
        return "en"
    return fallback if fallback in LANGUAGES else FALLBACK_LANGUAGE


@lru_cache(maxsize=1)
def _to_traditional():  # type: ignore[no-untyped-def]
    from aftercare.assistant.text import to_traditional

    return to_traditional


def _wording(event: str, language: str) -> tuple[str, str, dict[str, str]]:
    source = "zh-Hans" if language == "zh-Hant" else language
    subject, text = WORDING[event][source]
    frame = FRAMES[source]
    if language == "zh-Hant":
        convert = _to_traditional()
        subject, text = convert(subject), convert(text)
        frame = {key: convert(value) for key, value in frame.items()}
    return subject, text, frame


@lru_cache(maxsize=512)
def default_template(event: str, channel: str, language: str) -> TemplateText:
    subject, text, frame = _wording(event, language)
    if channel == Channel.SMS:
        return TemplateText(subject="", body=frame["sms"] + text)
    if channel == Channel.VOICE:
        return TemplateText(subject="", body=frame["voice"] + text)
    if channel == Channel.EMAIL:
        body = "\n\n".join(
            [frame["greeting"], text, "{% if portal_url %}" + frame["follow"] + "{% endif %}"]
        )
        return TemplateText(subject=subject, body=body + "\n\n" + frame["signoff"])
    # Portal notice and app push: the title and the text.
    return TemplateText(subject=subject, body=text)


def template_for(merchant_id: int, event: str, channel: str, language: str) -> TemplateText:
    """The merchant's wording when it has one, else the shipped default."""
    row = (
        MessageTemplate.objects.filter(
            merchant_id=merchant_id, event=event, channel=channel, language=language
        )
        .only("subject", "body", "html_body")
        .first()
    )
    if row is not None:
        return TemplateText(subject=row.subject, body=row.body, html_body=row.html_body)
    return default_template(event, channel, language)
