"""Pages of notifications: the supervisor's failed-delivery queue with resend, outgoing
webhooks with "send test" and their delivery log, the customer's one-click survey page, and
the signed provider callbacks (Twilio's X-Twilio-Signature, our Aftercare-Signature)."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aftercare.core.errors import DomainError, InvalidSignature
from aftercare.core.inbox import SIGNATURE_HEADER, process_inbound, store_inbound, verify_signature
from aftercare.core.outbox_models import InboxEvent
from aftercare.integrations.twilio.messages import verify_twilio_signature
from aftercare.merchants.models import Member, Merchant
from aftercare.merchants.queries import actor_for_user
from aftercare.merchants.roles import role_allows
from aftercare.notifications import delivery, queries, surveys, webhooks
from aftercare.notifications.models import NotificationSettings
from aftercare.web.access import context_for, member_required
from aftercare.web.problems import messages_for


def _allowed(membership: Member, permission: str) -> None:
    if not role_allows(membership.role, permission):
        raise Http404("No such page.")


# --- Console: failed deliveries -------------------------------------------------------------


@member_required
def failed_queue(request: HttpRequest, membership: Member) -> HttpResponse:
    _allowed(membership, "notifications.read")
    context = context_for(
        membership,
        section="notifications",
        failed=list(queries.failed_of(membership.merchant)[:200]),
        can_manage=role_allows(membership.role, "notifications.manage"),
        errors=[],
    )
    return render(request, "notifications/failed.html", context)


@require_POST
@member_required
def resend(request: HttpRequest, membership: Member, notification_id: int) -> HttpResponse:
    actor = actor_for_user(request.user)
    assert actor is not None
    try:
        delivery.resend_notification(actor=actor, notification_id=notification_id)
    except DomainError as error:
        context = context_for(
            membership,
            section="notifications",
            failed=list(queries.failed_of(membership.merchant)[:200]),
            can_manage=role_allows(membership.role, "notifications.manage"),
            errors=messages_for(error),
        )
        return render(request, "notifications/failed.html", context, status=error.status)
    return HttpResponseRedirect(reverse("notifications:failed"))


# --- Console: webhooks ------------------------------------------------------------------------


def _webhook_context(membership: Member, **extra: Any) -> dict[str, Any]:
    subscriptions = list(queries.subscriptions_of(membership.merchant))
    return context_for(
        membership,
        section="notifications",
        subscriptions=subscriptions,
        attempts=list(queries.recent_attempts_of(membership.merchant)[:50]),
        event_types=webhooks.known_event_types(),
        can_manage=role_allows(membership.role, "notifications.manage"),
        **extra,
    )


@member_required
def webhook_list(request: HttpRequest, membership: Member) -> HttpResponse:
    _allowed(membership, "notifications.read")
    return render(request, "notifications/webhooks.html", _webhook_context(membership, errors=[]))


def _webhook_step(request: HttpRequest, membership: Member, step: Any) -> HttpResponse:
    actor = actor_for_user(request.user)
    assert actor is not None
    try:
        note = step(actor)
    except DomainError as error:
        context = _webhook_context(membership, errors=messages_for(error))
        return render(request, "notifications/webhooks.html", context, status=error.status)
    context = _webhook_context(membership, errors=[], note=note)
    return render(request, "notifications/webhooks.html", context)


@require_POST
@member_required
def webhook_create(request: HttpRequest, membership: Member) -> HttpResponse:
    def step(actor: Any) -> str:
        webhooks.create_subscription(
            actor=actor,
            url=request.POST.get("url", "").strip(),
            event_types=request.POST.getlist("event_types"),
        )
        return _("Subscription added.")

    return _webhook_step(request, membership, step)


@require_POST
@member_required
def webhook_test(request: HttpRequest, membership: Member, subscription_id: int) -> HttpResponse:
    def step(actor: Any) -> str:
        result = webhooks.send_test(actor=actor, subscription_id=subscription_id)
        if result.outcome == "succeeded":
            return _("Test delivered (HTTP %(status)s).") % {"status": result.status_code}
        return _("Test failed: %(detail)s") % {"detail": result.detail}

    return _webhook_step(request, membership, step)


@require_POST
@member_required
def webhook_toggle(request: HttpRequest, membership: Member, subscription_id: int) -> HttpResponse:
    def step(actor: Any) -> str:
        sub = webhooks.set_active(
            actor=actor, subscription_id=subscription_id, active=request.POST.get("active") == "1"
        )
        return _("Subscription enabled.") if sub.active else _("Subscription disabled.")

    return _webhook_step(request, membership, step)


# --- The customer's survey page ------------------------------------------------------------


def survey_page(request: HttpRequest, signed: str) -> HttpResponse:
    survey = surveys.survey_from_link(signed)
    if survey is None:
        raise Http404("This survey link is not valid.")
    thanks = False
    if request.method == "POST":
        try:
            score = int(request.POST.get("score", "0"))
            improvements = [int(v) for v in request.POST.getlist("improve")]
        except ValueError:
            score, improvements = 0, []
        thanks = surveys.answer_survey(survey, score=score, improvements=improvements)
        survey.refresh_from_db()
    context = {
        "survey": survey,
        "shop": survey.merchant.name,
        "thanks": thanks or survey.answered_at is not None,
        "scores": [1, 2, 3, 4, 5],
        "improvements": [
            (1, _("Speed")),
            (2, _("Communication")),
            (3, _("The outcome")),
        ],
    }
    return render(request, "notifications/survey.html", context)


# --- Provider callbacks ----------------------------------------------------------------------


def _merchant_settings(merchant_id: int) -> NotificationSettings:
    found = NotificationSettings.objects.filter(merchant_id=merchant_id).first()
    if found is None:
        raise Http404("No such merchant.")
    return found


def _apply(event: InboxEvent) -> None:
    payload = event.payload
    assert event.merchant_id is not None
    delivery.apply_provider_status(
        merchant_id=event.merchant_id,
        reference=str(payload.get("reference", "")),
        status=str(payload.get("status", "")),
        reason=str(payload.get("reason", "")),
    )


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """Twilio's StatusCallback: MessageSid, MessageStatus, ErrorCode, signed with the token."""
    settings = _merchant_settings(merchant_id)
    params = {key: request.POST.get(key, "") for key in request.POST}
    url = settings.public_base_url.rstrip("/") + request.path
    try:
        verify_twilio_signature(
            settings.twilio_auth_token, url, params, request.headers.get("X-Twilio-Signature")
        )
    except InvalidSignature as error:
        return HttpResponse(error.detail, status=403, content_type="text/plain")
    sid, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    reason = f"Twilio error {params['ErrorCode']}" if params.get("ErrorCode") else ""
    event, _created = store_inbound(
        provider="twilio-status",
        event_id=f"{sid}:{status}",
        payload={"reference": sid, "status": status, "reason": reason},
        merchant=Merchant.objects.get(pk=merchant_id),
    )
    process_inbound(event.pk, _apply)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def sms_gateway_status(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """An HTTP gateway's delivery report: JSON {reference, status, reason}, signed by us."""
    settings = _merchant_settings(merchant_id)
    try:
        if not settings.callback_secret:
            raise InvalidSignature("No callback secret is configured.")
        verify_signature(
            settings.callback_secret, request.body, request.headers.get(SIGNATURE_HEADER)
        )
        payload = json.loads(request.body)
        reference, status = str(payload["reference"]), str(payload["status"])
    except InvalidSignature as error:
        return HttpResponse(error.detail, status=403, content_type="text/plain")
    except (ValueError, KeyError, TypeError):
        return HttpResponse("Expected JSON with reference and status.", status=400)
    event, _created = store_inbound(
        provider="http-sms-status",
        event_id=f"{merchant_id}:{reference}:{status}",
        payload={
            "reference": reference,
            "status": status,
            "reason": str(payload.get("reason", "")),
        },
        merchant=Merchant.objects.get(pk=merchant_id),
    )
    process_inbound(event.pk, _apply)
    return HttpResponse(status=204)
