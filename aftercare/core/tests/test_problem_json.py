"""Every API error is RFC 7807 problem+json with a stable code."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from aftercare.core.api import PROBLEM_CONTENT_TYPE
from aftercare.core.testing import api_caller

problem_urls = pytest.mark.urls("aftercare.core.tests.problem_api")


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = json.loads(response.content)
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith("/" + code)
    assert body["title"] and body["detail"]
    return body


@problem_urls
def test_domain_error_keeps_its_status_code_and_extra_fields(merchant) -> None:
    body = _problem(api_caller(merchant).post("/api/conflict"), 409, "invalid_transition")
    assert body["from"] == "closed"


@problem_urls
def test_schema_validation_error_is_422_with_per_field_errors(merchant) -> None:
    response = api_caller(merchant).post("/api/things", {"name": "x", "quantity": "many"})

    body = _problem(response, 422, "validation_failed")
    assert any(error["loc"][-1] == "quantity" for error in body["errors"])
    assert all({"loc", "msg", "type"} <= set(error) for error in body["errors"])


@problem_urls
def test_malformed_json_body_is_400_malformed_body(merchant) -> None:
    response = api_caller(merchant).post("/api/things", raw='{"name": "x", "quantity":')
    _problem(response, 400, "malformed_body")


@problem_urls
def test_permission_missing_from_the_keys_scopes_is_403(merchant) -> None:
    caller = api_caller(merchant, scopes=["commerce.read"])

    body = _problem(caller.post("/api/things", {"name": "x", "quantity": 1}), 403, "forbidden")
    assert body["permission"] == "commerce.write"


def test_missing_credentials_are_401(db) -> None:
    _problem(Client().get("/api/v1/me"), 401, "unauthenticated")


def test_unknown_api_key_is_401(db) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ak_nope_nope")
    _problem(response, 401, "unauthenticated")


def test_key_without_the_scope_gets_403_on_a_real_endpoint(merchant) -> None:
    caller = api_caller(merchant, scopes=["commerce.read"])
    _problem(caller.get("/api/v1/stores"), 403, "forbidden")


def test_missing_object_is_404_problem(merchant) -> None:
    _problem(api_caller(merchant).get("/api/v1/stores/999999"), 404, "not_found")


def test_session_of_a_member_authenticates(client: Client, agent) -> None:
    client.force_login(agent.user)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["role"] == "agent"


def test_signed_in_user_without_membership_is_401(client: Client, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_user("loner", password="x" * 12))
    _problem(client.get("/api/v1/me"), 401, "unauthenticated")
