"""Commerce endpoints (bulk upsert, list, get) — being built."""

from ninja import Router

router = Router(tags=["commerce"])
