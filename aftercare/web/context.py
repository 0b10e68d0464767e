"""Template context for every page: the signed-in member and their merchant."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from aftercare.web.access import membership_of


def console(request: HttpRequest) -> dict[str, Any]:
    membership = membership_of(request)
    return {"membership": membership, "merchant": membership.merchant if membership else None}
