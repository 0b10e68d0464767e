"""The conversations API, mounted by aftercare/api.py: `router` at /conversations and
`customers_router` at /customers (the customer 360 lookup)."""

from ninja import Router

router = Router(tags=["conversations"])
customers_router = Router(tags=["customers"])
