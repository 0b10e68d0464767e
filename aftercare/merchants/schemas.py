from __future__ import annotations

from datetime import datetime

from ninja import Schema


class MerchantOut(Schema):
    id: int
    name: str
    slug: str
    default_language: str
    timezone: str
    currency: str


class MeOut(Schema):
    merchant: MerchantOut
    actor: str
    role: str
    scopes: list[str]


class StoreOut(Schema):
    id: int
    code: str
    name: str
    channel: str
    created_at: datetime
