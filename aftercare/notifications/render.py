"""Rendering templates with a restricted context, and refusing templates that would not render.

Merchants write templates in the admin, and customers supply some of the values (their name,
a rejection reason an agent quoted). So:

- a template may use only the variables in VARIABLES, without attribute lookups, only the
  tags in ALLOWED_TAGS (if/elif/else) and only the filters in ALLOWED_FILTERS; anything else
  (`{{ settings.SECRET_KEY }}`, `{% load %}`, `{% include %}`, `|safe`) is refused on save;
- the context holds nothing but those variables, as plain strings, so even a template that
  slipped past validation has nothing else to reach;
- HTML email renders with autoescaping on, so a customer's `<script>` arrives as text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.html import escape, linebreaks

from aftercare.core.errors import ValidationFailed

VARIABLES: dict[str, str] = {
    "customer_name": "The customer's name",
    "shop_name": "The merchant's name",
    "case_number": "The request number, e.g. RMA-2026-000123",
    "status": "The request's status, in words",
    "reason": "Why it was rejected or failed inspection",
    "message": "What the agent asked for",
    "return_address": "Where to send the parcel",
    "return_contact": "The return desk's contact",
    "rma_number": "The number to write on the parcel",
    "tracking_number": "A tracking number",
    "carrier": "The carrier of that tracking number",
    "refund_amount": "The refunded amount, e.g. 99.00",
    "currency": "The currency code, e.g. CNY",
    "deadline": "The date by which to send the return",
    "portal_url": "The customer's page for this request",
    "survey_url": "The one-click survey page",
}
ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif"})
ALLOWED_FILTERS = frozenset({"default", "upper", "lower", "title", "truncatechars"})
IF_WORDS = frozenset({"and", "or", "not", "==", "!=", "in"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LITERAL = re.compile(r"""^(".*"|'.*'|-?\d+(\.\d+)?)$""")

_UNCLOSED = ("{{", "{%", "}}", "%}")

_TEXT_ENGINE = Engine(autoescape=False, string_if_invalid="")
_HTML_ENGINE = Engine(autoescape=True, string_if_invalid="")


class TemplateInvalid(ValidationFailed):
    code = "template_invalid"
    title = "The template does not render"


def validate(source: str, *, field: str = "body") -> None:
    """Raise TemplateInvalid naming the first problem; return None for a usable template."""
    problems = list(_problems(source))
    if not problems:
        try:
            _TEXT_ENGINE.from_string(source)
        except TemplateSyntaxError as error:
            problems.append(str(error))
    if problems:
        raise TemplateInvalid(
            f"{field}: {problems[0]}",
            errors=[{"loc": [field], "msg": p, "type": "template"} for p in problems],
        )


def _problems(source: str) -> list[str]:
    found: list[str] = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.VAR:
            found += _variable_problems(token.contents)
        elif token.token_type == TokenType.BLOCK:
            words = token.split_contents()
            tag = words[0] if words else ""
            if tag not in ALLOWED_TAGS:
                found.append(f"the tag {{% {tag} %}} is not allowed (only if/elif/else)")
            elif tag in {"if", "elif"}:
                found += _condition_problems(words[1:])
        elif token.token_type == TokenType.TEXT and any(m in token.contents for m in _UNCLOSED):
            found.append("a {{ or {% is not closed")
    return found


def _variable_problems(contents: str) -> list[str]:
    name, *filters = [part.strip() for part in contents.split("|")]
    found = [] if _known(name) else [f"unknown variable {{{{ {name} }}}}"]
    for spec in filters:
        filter_name = spec.split(":", 1)[0].strip()
        if filter_name not in ALLOWED_FILTERS:
            found.append(f"the filter |{filter_name} is not allowed")
    return found


def _condition_problems(words: list[str]) -> list[str]:
    return [
        f"unknown variable {word!r} in a condition"
        for word in words
        if word not in IF_WORDS and not _LITERAL.match(word) and not _known(word)
    ]


def _known(name: str) -> bool:
    return bool(_NAME.match(name)) and name in VARIABLES


@lru_cache(maxsize=2048)
def _compiled(source: str, html: bool) -> Template:
    return (_HTML_ENGINE if html else _TEXT_ENGINE).from_string(source)


def render(source: str, values: dict[str, Any], *, html: bool = False) -> str:
    """Render with only the documented variables, each as a plain string."""
    context = {name: "" if values.get(name) is None else str(values[name]) for name in VARIABLES}
    return _compiled(source, html).render(Context(context, autoescape=html)).strip()


def html_from_text(text: str, *, title: str = "") -> str:
    """An HTML email made from the rendered text: every character of it escaped."""
    heading = f'<h2 style="margin:0 0 16px">{escape(title)}</h2>' if title else ""
    return (
        '<div style="font-family:-apple-system,Segoe UI,PingFang SC,Microsoft YaHei,sans-serif;'
        'font-size:15px;line-height:1.6;color:#222;max-width:560px">'
        f"{heading}{linebreaks(text, autoescape=True)}</div>"
    )
