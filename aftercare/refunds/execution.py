"""Executing grants exactly once (F1, F2): the execution row, its outbox delivery, the
gateway call outside any transaction, the ledger, retries, manual payment and reconciliation.

- One Execution per grant (a one-to-one row created under the grant's lock), with one
  idempotency key that every later attempt reuses: retries, the outbox taking over a dead
  worker's claim, finance's "retry", reconciliation.
- The gateway is called by the outbox handler with no transaction open (rule 5); the outbox
  claims each attempt by compare-and-set (ADR 0004).
- Every outcome is applied under the execution's row lock and only while it is "requested",
  and the ledger allows one success per execution (a partial unique index): two workers, a
  callback and finance can race and the money is still counted once.
- A success that leaves no money grant of the case open moves the case to refunded.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.errors import ExternalServiceError, NotFound, ValidationFailed
from aftercare.core.outbox import write_outbox
from aftercare.core.tasks import enqueue_on_commit
from aftercare.integrations.refund_gateway import (
    FAILED,
    PENDING,
    SUCCEEDED,
    ManualGateway,
    RefundGateway,
    RefundRequest,
    RefundResult,
)
from aftercare.refunds import events, queries
from aftercare.refunds.actions import lock_grant, require
from aftercare.refunds.errors import NoManualExecution, NotExecutable
from aftercare.refunds.models import (
    Execution,
    ExecutionStatus,
    GatewayKind,
    Grant,
    GrantStatus,
    LedgerEntry,
    LedgerKind,
    RefundSettings,
)

log = logging.getLogger(__name__)
TOPIC = "refunds.execute"
ZERO_REFERENCE = "no-money"
CHECK_AFTER = timedelta(minutes=5)  # a provider's "pending" is asked about again after this
# Longer than the outbox's first retries: by then a live delivery has normally answered.
STUCK_CHECK_AFTER = timedelta(minutes=15)


# --- Starting ---------------------------------------------------------------------------------


def execute_grant(*, actor: Actor, grant_id: int) -> Execution:
    """Send an approved grant to the gateway. Every caller, however many at once, gets the one
    execution: the first creates it under the grant's lock, the others find it."""
    require(actor, "refunds.finance")
    with transaction.atomic():
        grant = lock_grant(actor, grant_id)
        existing = Execution.objects.filter(grant=grant).first()
        if existing is not None:
            return existing
        if grant.status != GrantStatus.APPROVED:
            raise NotExecutable(f"The grant is {grant.status}; only approved grants execute.")
        return start_execution(grant, actor=actor, settings=queries.settings_for(grant.merchant_id))


def start_execution(grant: Grant, *, actor: Actor, settings: RefundSettings) -> Execution:
    """Create the execution and its 'requested' ledger row; call inside the grant's transaction."""
    key = f"aftercare-refund-{grant.pk}-{secrets.token_hex(6)}"
    execution = Execution.objects.create(
        merchant_id=grant.merchant_id,
        grant=grant,
        gateway=settings.gateway,
        idempotency_key=key,
    )
    grant.status = GrantStatus.EXECUTING
    grant.save(update_fields=["status", "updated_at"])
    _ledger(execution, grant, LedgerKind.REQUESTED, actor_label=actor.label)
    record_event(actor=actor, subject=grant, kind=events.REQUESTED, data={"key": key})
    events.emit(
        grant,
        events.REQUESTED,
        actor=actor,
        data={"gateway": execution.gateway, "idempotency_key": key},
    )
    if grant.amount == 0:
        # Nothing to send (everything was cut by earlier refunds): the ledger says so at once.
        _apply(execution, RefundResult(status=SUCCEEDED, reference=ZERO_REFERENCE), actor=actor)
    elif execution.gateway != GatewayKind.MANUAL:
        _write_delivery(execution)
        # However the delivery ends (a killed worker, retries used up), look again later.
        schedule_check(execution.pk, STUCK_CHECK_AFTER)
    return execution


def _write_delivery(execution: Execution) -> None:
    write_outbox(
        merchant=execution.grant.merchant,
        topic=TOPIC,
        dedupe_key=f"refund-execution:{execution.pk}:{execution.retries}",
        payload={"execution_id": execution.pk},
    )


def _ledger(
    execution: Execution,
    grant: Grant,
    kind: str,
    *,
    actor_label: str,
    reference: str = "",
    detail: str = "",
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        merchant_id=grant.merchant_id,
        execution=execution,
        grant=grant,
        order_id=grant.order_id,
        case_id=grant.case_id,
        kind=kind,
        amount=grant.amount,
        currency=grant.currency,
        reference=reference,
        detail=detail[:2000],
        actor_label=actor_label,
    )


# --- Delivering (the outbox handler) ----------------------------------------------------------


def gateway_for(execution: Execution, settings: RefundSettings | None = None) -> RefundGateway:
    settings = settings or queries.settings_for(execution.merchant_id)
    if execution.gateway == GatewayKind.WEBHOOK:
        from aftercare.integrations.refund_webhook import WebhookGateway

        return WebhookGateway(url=settings.webhook_url, secret=settings.webhook_secret)
    if execution.gateway == GatewayKind.STRIPE:
        from aftercare.integrations.stripe import StripeGateway

        return StripeGateway(
            api_base=settings.stripe_api_base, secret_key=settings.stripe_secret_key
        )
    return ManualGateway()


def request_for(execution: Execution) -> RefundRequest:
    grant = execution.grant
    order = grant.order
    # .all() and sorting here, so a prefetched batch (prepare_executions) needs no query.
    payments = sorted(order.payments.all(), key=lambda p: p.pk)
    payment = payments[0].external_id if payments else None
    return RefundRequest(
        idempotency_key=execution.idempotency_key,
        amount=grant.amount,
        currency=grant.currency,
        grant_id=grant.pk,
        order_id=order.pk,
        order_external_id=order.external_id,
        payment_reference=payment or "",
        case_number=events.case_number(grant),
        reason=grant.reason,
        lines=[
            {
                "order_line_id": line.order_line_id,
                "quantity": line.quantity,
                "amount": str(line.amount),
            }
            for line in sorted(grant.lines.all(), key=lambda line: line.order_line_id)
        ],
    )


def _loading() -> QuerySet[Execution]:
    # Not the case: its row carries the whole policy decision, and only its number is read.
    return Execution.objects.select_related("grant__order", "grant__merchant")


def _load(execution_id: int) -> Execution:
    return _loading().get(pk=execution_id)


class Prepared(NamedTuple):
    execution: Execution
    settings: RefundSettings


def prepare_executions(messages: list[Any]) -> None:
    """Outbox prepare hook: a claimed batch's executions, lines, payments and settings in
    four queries instead of four per execution."""
    ids = [int(m.payload["execution_id"]) for m in messages]
    found = _loading().prefetch_related("grant__lines", "grant__order__payments").in_bulk(ids)
    merchants = {e.merchant_id for e in found.values()}
    settings = {s.merchant_id: s for s in RefundSettings.objects.filter(merchant_id__in=merchants)}
    for message, execution_id in zip(messages, ids, strict=True):
        execution = found.get(execution_id)
        if execution is not None and execution.merchant_id in settings:
            message.prepared = Prepared(execution, settings[execution.merchant_id])


def deliver_execution(message: Any) -> dict[str, Any]:
    """Outbox handler: one gateway call with the execution's key, outside any transaction."""
    settings: RefundSettings | None = None
    if message.prepared is not None:
        execution, settings = message.prepared
    else:
        execution = _load(int(message.payload["execution_id"]))
    if execution.status != ExecutionStatus.REQUESTED:
        return {"status": execution.status, "reference": execution.reference}
    gateway = gateway_for(execution, settings)
    result = gateway.refund(request_for(execution))  # temporary trouble raises: outbox retries
    execution = apply_result(execution.pk, result, actor_label=f"gateway:{gateway.name}")
    if result.status == FAILED:
        # Recorded for finance above; tell the outbox to stop trying.
        raise ExternalServiceError(result.message or "The gateway refused.", permanent=True)
    return {"status": execution.status, "reference": execution.reference}


def apply_result(execution_id: int, result: RefundResult, *, actor_label: str) -> Execution:
    with transaction.atomic():
        execution = (
            Execution.objects.select_for_update(of=("self",))
            .select_related("grant__merchant")
            .get(pk=execution_id)
        )
        actor = Actor.system(execution.grant.merchant, label=actor_label)
        return _apply(execution, result, actor=actor)


def _apply(execution: Execution, result: RefundResult, *, actor: Actor) -> Execution:
    """Record one gateway answer on a locked execution; a late or repeated answer is ignored."""
    if execution.status != ExecutionStatus.REQUESTED:
        return execution
    grant = execution.grant
    if result.status == PENDING:
        if result.reference and result.reference != execution.reference:
            execution.reference = result.reference
            execution.save(update_fields=["reference", "updated_at"])
        schedule_check(execution.pk)
        return execution
    succeeded = result.status == SUCCEEDED
    execution.status = ExecutionStatus.SUCCEEDED if succeeded else ExecutionStatus.FAILED
    execution.reference = result.reference or execution.reference
    execution.last_error = "" if succeeded else result.message[:2000]
    execution.save(update_fields=["status", "reference", "last_error", "updated_at"])
    kind = LedgerKind.SUCCEEDED if succeeded else LedgerKind.FAILED
    _ledger(
        execution,
        grant,
        kind,
        actor_label=actor.label,
        reference=execution.reference,
        detail=result.message,
    )
    grant.status = GrantStatus.SUCCEEDED if succeeded else GrantStatus.FAILED
    grant.save(update_fields=["status", "updated_at"])
    event = events.SUCCEEDED if succeeded else events.FAILED
    data = {"gateway": execution.gateway, "reference": execution.reference}
    if not succeeded:
        data["error"] = result.message
    record_event(actor=actor, subject=grant, kind=event, reason=result.message, data=data)
    events.emit(grant, event, actor=actor, data=data)
    if succeeded:
        _settle_case(grant, actor=actor, reference=execution.reference)
    return execution


def _settle_case(grant: Grant, *, actor: Actor, reference: str) -> None:
    """The ledger says the money went out: the case is refunded once no money grant is open."""
    if grant.case_id is None:
        return
    from aftercare.returns.inspection import mark_refunded
    from aftercare.returns.models import Case
    from aftercare.returns.states import CaseStatus

    case = Case.objects.get(pk=grant.case_id)
    if case.status != CaseStatus.REFUND_PROCESSING:
        return
    if queries.open_money_grants(case.pk).exists():
        return
    # The ledger moves the case, whoever recorded the payment (finance may not decide cases);
    # the timeline still names them.
    mover = Actor.system(grant.merchant, label=actor.label)
    mark_refunded(actor=mover, case=case, reference=reference)


# --- Finance: mark paid, retry, reverse --------------------------------------------------------


def mark_paid(*, actor: Actor, grant_id: int, reference: str) -> Execution:
    """Finance paid a manual-gateway refund by hand; `reference` is their payment's id."""
    require(actor, "refunds.finance", "cases.decide")
    reference = reference.strip()
    if not reference or len(reference) > 128:
        raise ValidationFailed(
            "A payment reference is needed.",
            errors=[
                {"loc": ["body", "reference"], "msg": "1 to 128 characters", "type": "invalid"}
            ],
        )
    with transaction.atomic():
        grant = lock_grant(actor, grant_id)
        execution = Execution.objects.select_for_update().filter(grant=grant).first()
        if grant.status == GrantStatus.APPROVED and execution is None:
            settings = queries.settings_for(grant.merchant_id)
            if settings.gateway == GatewayKind.MANUAL:
                execution = start_execution(grant, actor=actor, settings=settings)
        if (
            execution is None
            or execution.gateway != GatewayKind.MANUAL
            or execution.status != ExecutionStatus.REQUESTED
        ):
            raise NoManualExecution("This grant has no manual refund waiting to be marked paid.")
        execution.grant = grant
        return _apply(execution, RefundResult(status=SUCCEEDED, reference=reference), actor=actor)


def mark_case_paid(*, actor: Actor, case: Any, reference: str) -> list[Execution]:
    """The returns "mark refunded" step: mark the case's manual refunds paid (the ledger entry
    then moves the case to refunded). Without such a refund nothing changes (409)."""
    require(actor, "refunds.finance", "cases.decide")
    waiting = list(
        Grant.objects.filter(
            case_id=case.pk,
            merchant_id=actor.merchant_id,
            status__in=[GrantStatus.EXECUTING, GrantStatus.APPROVED],
        ).values_list("pk", flat=True)
    )
    if not waiting:
        raise NoManualExecution("The case has no refund waiting to be marked paid.")
    with transaction.atomic():
        return [mark_paid(actor=actor, grant_id=pk, reference=reference) for pk in waiting]


def retry_execution(*, actor: Actor, grant_id: int) -> Execution:
    """Send a failed (or exhausted) execution again, with the same idempotency key."""
    require(actor, "refunds.finance")
    with transaction.atomic():
        grant = lock_grant(actor, grant_id)
        execution = Execution.objects.select_for_update().filter(grant=grant).first()
        if execution is None or execution.gateway == GatewayKind.MANUAL:
            raise NotExecutable("Only a gateway execution can be retried.")
        if execution.status == ExecutionStatus.SUCCEEDED:
            raise NotExecutable("The refund already succeeded.")
        if grant.status == GrantStatus.CANCELLED:
            raise NotExecutable("The grant was cancelled.")
        execution.status = ExecutionStatus.REQUESTED
        execution.retries += 1
        execution.save(update_fields=["status", "retries", "updated_at"])
        grant.status = GrantStatus.EXECUTING
        grant.save(update_fields=["status", "updated_at"])
        _ledger(
            execution,
            grant,
            LedgerKind.REQUESTED,
            actor_label=actor.label,
            detail=f"retry {execution.retries}",
        )
        record_event(
            actor=actor, subject=grant, kind="refund.retried", data={"retry": execution.retries}
        )
        execution.grant = grant
        _write_delivery(execution)
        return execution


def reverse_payment(*, actor: Actor, grant_id: int, reason: str) -> Execution:
    """The provider or bank sent a paid refund back (e.g. a closed account): a reversal row."""
    require(actor, "refunds.finance")
    with transaction.atomic():
        grant = lock_grant(actor, grant_id)
        execution = Execution.objects.select_for_update().filter(grant=grant).first()
        if execution is None or execution.status != ExecutionStatus.SUCCEEDED:
            raise NotExecutable("Only a paid refund can be reversed.")
        if LedgerEntry.objects.filter(execution=execution, kind=LedgerKind.REVERSED).exists():
            raise NotExecutable("The refund was already reversed.")
        _ledger(
            execution,
            grant,
            LedgerKind.REVERSED,
            actor_label=actor.label,
            reference=execution.reference,
            detail=reason,
        )
        record_event(actor=actor, subject=grant, kind=events.REVERSED, reason=reason)
        events.emit(
            grant,
            events.REVERSED,
            actor=actor,
            data={"reference": execution.reference, "reason": reason},
        )
        return execution


# --- Reconciliation ----------------------------------------------------------------------------


def reconcile(*, older_than_seconds: int = 300, limit: int = 200) -> dict[str, int]:
    """Ask the gateway about executions stuck in 'requested' (a pending provider refund, a
    worker killed before the answer was saved, retries exhausted). Never inside a transaction."""
    counts = {"checked": 0, "succeeded": 0, "failed": 0, "pending": 0, "errors": 0}
    ids = list(
        queries.stuck_executions(older_than_seconds=older_than_seconds)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    for execution_id in ids:
        counts["checked"] += 1
        counts[reconcile_execution(execution_id)] += 1
    return counts


def reconcile_execution(execution_id: int) -> str:
    """One execution's state from its gateway: succeeded, failed, pending, or errors."""
    execution = _load(execution_id)
    if execution.status != ExecutionStatus.REQUESTED or execution.gateway == GatewayKind.MANUAL:
        return "pending" if execution.status == ExecutionStatus.REQUESTED else execution.status
    try:
        gateway = gateway_for(execution)
        result = gateway.lookup(request_for(execution), execution.reference)
    except ExternalServiceError as error:
        log.warning("reconcile of execution %s: %s", execution_id, error.detail)
        return "errors"
    apply_result(execution_id, result, actor_label=f"reconcile:{gateway.name}")
    return result.status if result.status in (SUCCEEDED, FAILED) else "pending"


def schedule_check(execution_id: int, delay: timedelta = CHECK_AFTER) -> None:
    """A delayed reconcile of one execution (run_after), enqueued when the transaction commits."""
    from aftercare.refunds.tasks import reconcile_refund

    enqueue_on_commit(reconcile_refund, execution_id, run_after=timezone.now() + delay)


def find_execution(merchant_id: int, idempotency_key: str) -> Execution:
    execution = Execution.objects.filter(
        merchant_id=merchant_id, idempotency_key=idempotency_key
    ).first()
    if execution is None:
        raise NotFound("No refund execution has that idempotency key.")
    return execution
