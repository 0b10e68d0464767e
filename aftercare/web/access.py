"""Who may use the console: a signed-in user who is a member of a merchant.

The membership is looked up once per request and cached on it, because the view, the
context processor and the templates all need it and the query count must stay constant.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftercare.merchants.models import Member
from aftercare.merchants.queries import membership_for_user

P = ParamSpec("P")
MemberView = Callable[Concatenate[HttpRequest, Member, P], HttpResponse]

_CACHE_ATTR = "_aftercare_membership"


def membership_of(request: HttpRequest) -> Member | None:
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, membership_for_user(getattr(request, "user", None)))
    membership: Member | None = getattr(request, _CACHE_ATTR)
    return membership


def member_required(view: MemberView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Sign-in required; then the view gets the membership, and times show in the merchant's
    time zone. A signed-in user with no merchant gets an explanation instead of a crash."""

    @_htmx_login_redirect
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        membership = membership_of(request)
        if membership is None:
            return render(request, "web/no_membership.html", status=403)
        with timezone.override(membership.merchant.timezone):
            return view(request, membership, *args, **kwargs)

    return wrapper


def _htmx_login_redirect(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """An htmx request from a page whose session has expired would swap the login page into
    the table; tell htmx to load the login page as a whole page instead."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(_page_behind(request)).url
            return response
        return view(request, *args, **kwargs)

    return wrapper


def _page_behind(request: HttpRequest) -> str:
    """The page the htmx request came from, so signing in returns there, not to a fragment."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return f"{current.path}?{current.query}" if current.query else (current.path or "/")


def context_for(membership: Member, **extra: Any) -> dict[str, Any]:
    return {"membership": membership, "merchant": membership.merchant, **extra}
