"""The assistant's label sets for console templates (the correction form)."""

from __future__ import annotations

from django import template

from aftercare.assistant.labels import INTENTS, REASONS

register = template.Library()


@register.simple_tag
def intent_labels() -> tuple[str, ...]:
    return INTENTS


@register.simple_tag
def reason_labels() -> tuple[str, ...]:
    return REASONS
