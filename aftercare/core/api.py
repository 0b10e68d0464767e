"""django-ninja plumbing: problem+json errors, authentication, permissions, pagination."""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from aftercare.core.actors import Actor
from aftercare.core.errors import DomainError, Forbidden

log = logging.getLogger(__name__)
PROBLEM_TYPE_BASE = "https://aftercare.invalid/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    return body


def _respond(api: NinjaAPI, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    response = api.create_response(request, body, status=body["status"])
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def install_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        body = problem(
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            extra=exc.extra,
        )
        return _respond(api, request, body)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [_clean_validation_error(error) for error in exc.errors]
        code, detail = "validation_failed", "Some fields are missing or not valid."
        # Only pydantic's json_invalid means the body itself is broken; "unable to parse
        # string as an integer" is an ordinary field error and stays a 422.
        if any(error["type"] == "json_invalid" for error in errors):
            code, detail = "malformed_body", "The request body is not valid JSON."
        body = problem(
            status=422 if code == "validation_failed" else 400,
            code=code,
            title="The input is not valid",
            detail=detail,
            errors=errors,
        )
        return _respond(api, request, body)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = problem(
            status=401,
            code="unauthenticated",
            title="Authentication required",
            detail="Send 'Authorization: Bearer <API key>' or sign in to the console.",
        )
        return _respond(api, request, body)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        body = problem(status=404, code="not_found", title="Not found", detail="No such object.")
        return _respond(api, request, body)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if _is_unparsable_body(exc):
            body = problem(
                status=400,
                code="malformed_body",
                title="The input is not valid",
                detail="The request body is not valid JSON.",
            )
        else:
            body = problem(
                status=exc.status_code,
                code=f"http_{exc.status_code}",
                title=str(exc),
                detail=str(exc),
            )
        return _respond(api, request, body)


def _is_unparsable_body(exc: HttpError) -> bool:
    # django-ninja reports a body its parser cannot read as HttpError(400, "Cannot parse
    # request body ..."); there is no narrower exception to catch. A test pins this wording.
    return exc.status_code == 400 and str(exc).startswith("Cannot parse request body")


def _clean_validation_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    return {"loc": loc, "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}


# --- Authentication --------------------------------------------------------------------------


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>` for integrations; keys are stored hashed."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        from aftercare.merchants.queries import actor_for_api_key

        return actor_for_api_key(token)


class SessionMemberAuth(APIKeyCookie):
    """The console's session cookie (with CSRF on unsafe methods), for a merchant's member."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        from aftercare.merchants.queries import actor_for_user

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return actor_for_user(user)


def actor_of(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        raise Forbidden(
            f"Your role or key does not allow {permission!r}.", extra={"permission": permission}
        )


# --- Pagination ------------------------------------------------------------------------------

T = TypeVar("T")
MAX_PAGE = 200


class PageOut(Schema, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    has_more: bool


def page_of(queryset: QuerySet, *, limit: int, offset: int) -> dict[str, Any]:
    """Limit/offset without COUNT(*): one query, one extra row to know if there is more."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    rows = list(queryset[offset : offset + limit + 1])
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}
