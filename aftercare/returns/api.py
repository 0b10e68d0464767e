"""After-sales case endpoints."""

from ninja import Router

router = Router(tags=["cases"])
