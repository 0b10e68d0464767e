"""Console and portal pages. Views read through commerce.queries; they change nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from aftercare.commerce.models import OrderLine, Payment, Shipment
from aftercare.commerce.queries import orders_for_listing
from aftercare.merchants.models import Member
from aftercare.web.access import context_for, member_required
from aftercare.web.listing import clean_query, order_page, parse_page


def _listing_url(query: str, page: int = 1) -> str:
    params = {key: value for key, value in (("q", query), ("page", page)) if value and value != 1}
    return reverse("home") + (f"?{urlencode(params)}" if params else "")


def _rows_url(query: str, page: int) -> str:
    params = {"q": query, "page": page, "part": "rows"} if query else {"page": page, "part": "rows"}
    return f"{reverse('orders_table')}?{urlencode(params)}"


def _listing_context(request: HttpRequest, membership: Member) -> dict[str, Any]:
    listing = order_page(
        membership.merchant,
        query=clean_query(request.GET.get("q")),
        page=parse_page(request.GET.get("page")),
    )
    # The "more" link is a plain link to the next full page, which htmx upgrades to
    # appending the next rows in place.
    return context_for(
        membership,
        listing=listing,
        next_url=_listing_url(listing.query, listing.page + 1),
        more_rows_url=_rows_url(listing.query, listing.page + 1),
    )


@member_required
def home(request: HttpRequest, membership: Member) -> HttpResponse:
    return render(request, "web/home.html", _listing_context(request, membership))


@member_required
def orders_table(request: HttpRequest, membership: Member) -> HttpResponse:
    """The htmx partial behind the search box and the "more" link.

    `part=rows` returns only the next rows (appended in place of the "more" row); otherwise
    the whole table. The address bar follows the search so a reload or a shared link shows
    the same list, rendered in full by `home`.
    """
    context = _listing_context(request, membership)
    if request.GET.get("part") == "rows":
        return render(request, "web/_order_rows.html", context)
    response = render(request, "web/_orders_table.html", context)
    response["HX-Push-Url"] = _listing_url(context["listing"].query)
    return response


@member_required
def order_detail(request: HttpRequest, membership: Member, pk: int) -> HttpResponse:
    # Another merchant's order is simply not in the scoped queryset: same 404 as a missing one.
    order = (
        orders_for_listing(membership.merchant)
        .prefetch_related(None)  # replace the list's prefetches with ordered ones
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_no")),
            Prefetch("payments", queryset=Payment.objects.order_by("paid_at", "id")),
            Prefetch("shipments", queryset=Shipment.objects.order_by("shipped_at", "id")),
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    return render(request, "web/order_detail.html", context_for(membership, order=order))


def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/landing.html")
