"""Test personas and factories shared by every app's tests.

Personas are named for who they are in a permission test: an agent, a supervisor, and
another merchant's agent who must never see this merchant's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import factory
from django.test import Client

from aftercare.core.actors import Actor
from aftercare.merchants.actions import add_member, create_api_key
from aftercare.merchants.models import Member, Merchant, Role, SalesChannel, Store
from aftercare.merchants.queries import actor_for_user

PASSWORD = "correct-horse-battery"


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Merchant {n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    merchant = factory.SubFactory(MerchantFactory)
    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    channel = SalesChannel.OWN_SITE


_member_counter = iter(range(1, 10**9))


def make_member(merchant: Merchant, role: str = Role.AGENT, username: str | None = None) -> Member:
    username = username or f"{role}-{merchant.slug}-{next(_member_counter)}"
    return add_member(
        merchant=merchant, username=username, password=PASSWORD, role=role, display_name=username
    )


def actor_of_member(member: Member) -> Actor:
    actor = actor_for_user(member.user)
    assert actor is not None
    return actor


@dataclass
class ApiCaller:
    """A Django test client that sends an API key on every request, JSON in and out."""

    token: str
    client: Client

    def _call(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str) -> Any:
        return self._call("get", path)

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        return self._call("post", path, body, raw)

    def put(self, path: str, body: Any = None) -> Any:
        return self._call("put", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._call("patch", path, body)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


def api_caller(merchant: Merchant, scopes: list[str] | None = None) -> ApiCaller:
    _, token = create_api_key(actor=Actor.system(merchant), name="test", scopes=scopes or ["*"])
    return ApiCaller(token=token, client=Client())
