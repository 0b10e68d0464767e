"""Front-end files are vendored at pinned versions; no page loads anything from elsewhere."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from aftercare.web.display import format_money, format_phone

WEB = Path(__file__).resolve().parents[1]
VENDOR = WEB / "static" / "vendor"


def test_vendored_files_are_present_and_listed() -> None:
    versions = (VENDOR / "VERSIONS.md").read_text()

    for folder in ("bulma-1.0.4", "htmx-2.0.11"):
        assert any((VENDOR / folder).iterdir()), folder
        name, version = folder.rsplit("-", 1)
        assert re.search(rf"{name}\S*\s*\|\s*{re.escape(version)}", versions), folder


def test_templates_load_nothing_from_other_hosts() -> None:
    external = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)

    offenders = [
        str(path.relative_to(WEB))
        for path in (WEB / "templates").rglob("*.html")
        if external.search(path.read_text())
    ]

    assert offenders == []


def test_money_is_grouped_with_its_currency_symbol() -> None:
    assert format_money(Decimal("1299"), "CNY") == "¥1,299.00"
    assert format_money(Decimal("94.135"), "USD") == "US$94.14"
    assert format_money(Decimal("5"), "SGD") == "SGD 5.00"
    assert format_money(None, "CNY") == ""


def test_phones_are_shown_in_international_format() -> None:
    assert format_phone("+8613812345678") == "+86 138 1234 5678"
    assert format_phone("+85291234567") == "+852 9123 4567"
    assert format_phone("not a phone") == "not a phone"
    assert format_phone("") == ""
