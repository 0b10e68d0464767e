"""Template context for every page: the signed-in member and their merchant."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def console(request: HttpRequest) -> dict[str, Any]:
    from aftercare.merchants.queries import membership_for_user

    membership = membership_for_user(getattr(request, "user", None))
    return {"membership": membership, "merchant": membership.merchant if membership else None}
