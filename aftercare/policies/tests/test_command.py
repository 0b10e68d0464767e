"""`aftercare policy install-preset NAME [--merchant SLUG]`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftercare.policies.models import ReturnPolicy


def test_install_preset_for_the_only_merchant(merchant) -> None:
    out = StringIO()
    call_command("policy", "install-preset", "china_7day", stdout=out)
    assert "acme: installed china_7day" in out.getvalue()
    assert ReturnPolicy.objects.get(merchant=merchant, is_active=True).versions.count() == 1


def test_several_merchants_need_a_slug(merchant, other_merchant) -> None:
    with pytest.raises(CommandError, match="--merchant"):
        call_command("policy", "install-preset", "eu_14day")
    call_command("policy", "install-preset", "eu_14day", "--merchant", "rival", stdout=StringIO())
    assert ReturnPolicy.objects.get().merchant == other_merchant


def test_unknown_merchant(merchant) -> None:
    with pytest.raises(CommandError, match="No merchant"):
        call_command("policy", "install-preset", "custom", "--merchant", "nobody")
