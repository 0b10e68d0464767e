"""Assistant endpoints."""

from ninja import Router

router = Router(tags=["assistant"])
