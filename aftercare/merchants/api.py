"""Merchant endpoints: who am I, and the merchant's stores."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from aftercare.core.api import actor_of, require
from aftercare.merchants.models import Store
from aftercare.merchants.queries import get_scoped, scoped
from aftercare.merchants.schemas import MeOut, StoreOut

router = Router(tags=["merchant"])


@router.get("/me", response=MeOut, summary="The merchant and identity behind this request")
def me(request: HttpRequest) -> dict:
    actor = actor_of(request)
    return {
        "merchant": actor.merchant,
        "actor": actor.label,
        "role": actor.role,
        "scopes": sorted(actor.scopes),
    }


@router.get("/stores", response=list[StoreOut], summary="Stores and sales channels")
def list_stores(request: HttpRequest) -> list[Store]:
    actor = actor_of(request)
    require(actor, "merchant.read")
    return list(scoped(Store, actor.merchant).order_by("code"))


@router.get("/stores/{store_id}", response=StoreOut, summary="One store")
def get_store(request: HttpRequest, store_id: int) -> Store:
    actor = actor_of(request)
    require(actor, "merchant.read")
    return get_scoped(Store, actor.merchant, pk=store_id)
