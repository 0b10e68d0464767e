"""The tickets API, mounted by aftercare/api.py."""

from ninja import Router

router = Router(tags=["tickets"])
