"""A test-only API mounted by test_problem_json through its own URLconf."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI, Schema

from aftercare.core.api import ApiKeyAuth, SessionMemberAuth, actor_of, install_problem_handlers
from aftercare.core.api import require as require_permission
from aftercare.core.errors import InvalidTransition

api = NinjaAPI(
    title="problem test", auth=[ApiKeyAuth(), SessionMemberAuth()], urls_namespace="problem-test"
)
install_problem_handlers(api)


class ThingIn(Schema):
    name: str
    quantity: int


@api.post("/things")
def create_thing(request: HttpRequest, body: ThingIn) -> dict:
    require_permission(actor_of(request), "commerce.write")
    return {"name": body.name, "quantity": body.quantity}


@api.post("/conflict")
def always_conflict(request: HttpRequest) -> dict:
    raise InvalidTransition("Cannot go from 'closed' to 'open'.", extra={"from": "closed"})


urlpatterns = [path("api/", api.urls)]
