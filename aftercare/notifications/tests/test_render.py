"""Templates render only documented variables; injection attempts are refused or inert."""

from __future__ import annotations

import pytest

from aftercare.core.actors import Actor
from aftercare.notifications import render
from aftercare.notifications.actions import save_template
from aftercare.notifications.defaults import LANGUAGES, default_template
from aftercare.notifications.messages import rendered
from aftercare.notifications.models import Channel, EventKey, MessageTemplate


@pytest.mark.parametrize(
    "source",
    [
        "{{ settings.SECRET_KEY }}",
        "{{ customer_name.__class__ }}",
        "{{ request }}",
        "{% load static %}",
        "{% include 'web/login.html' %}",
        "{% debug %}",
        "{{ customer_name|safe }}",
        "{% if secret_thing %}x{% endif %}",
        "{{ customer_name ",
        "{% if customer_name %}no end",
    ],
)
def test_a_template_that_would_not_render_cannot_be_saved(source: str, merchant) -> None:
    with pytest.raises(render.TemplateInvalid):
        save_template(
            actor=Actor.system(merchant),
            event="submitted",
            channel="sms",
            language="en",
            body=source,
        )

    assert not MessageTemplate.objects.exists()


def test_a_good_template_is_saved_and_used(merchant) -> None:
    save_template(
        actor=Actor.system(merchant),
        event="submitted",
        channel="sms",
        language="en",
        body=(
            "Hi {{ customer_name|default:'there' }}, "
            "{% if case_number %}{{ case_number }}{% endif %}"
        ),
    )

    _, body, _ = rendered(merchant.pk, "submitted", "sms", "en", {"case_number": "RMA-1"})

    assert body == "Hi there, RMA-1"


def test_customer_supplied_html_is_escaped_in_html_email_and_inert_in_text() -> None:
    values = {"customer_name": "<script>alert(1)</script>{{ settings.SECRET_KEY }}"}
    html = render.render("<p>Hi {{ customer_name }}</p>", values, html=True)
    text = render.render("Hi {{ customer_name }}", values)
    made = render.html_from_text(text, title="<b>x</b>")

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert text == "Hi <script>alert(1)</script>{{ settings.SECRET_KEY }}"  # not re-rendered
    assert "<script>" not in made and "&lt;b&gt;x&lt;/b&gt;" in made


def test_the_context_holds_only_documented_variables() -> None:
    out = render.render("{{ customer_name }}|{{ shop_name }}", {"customer_name": "A", "evil": "x"})

    assert out == "A|"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", Channel.values)
@pytest.mark.parametrize("event", EventKey.values)
def test_every_default_is_valid_and_renders(event: str, channel: str, language: str) -> None:
    template = default_template(event, channel, language)

    render.validate(template.subject)
    render.validate(template.body)
    assert render.render(template.body, {"case_number": "RMA-9"}).strip()


def test_traditional_chinese_defaults_are_traditional() -> None:
    assert "已由倉庫簽收" in default_template("parcel_received", "sms", "zh-Hant").body
