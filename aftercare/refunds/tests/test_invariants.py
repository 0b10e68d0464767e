"""F3 amount invariants (hypothesis): whatever sequence of grants, partial refunds, shipping
waivers, coupons, cancellations and payments, the money out per order line and per order never
exceeds what was paid — and neither does what the grants hold. The order row lock backs it
under concurrency (test_exactly_once.py races grants)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftercare.core.errors import DomainError
from aftercare.refunds import actions, execution, queries
from aftercare.refunds.models import Grant, GrantStatus

KINDS = ["refund", "partial_refund", "shipping_waiver", "coupon", "store_credit"]

operation = st.one_of(
    st.tuples(
        st.just("grant"),
        st.sampled_from(KINDS),
        st.integers(min_value=1, max_value=30_000),  # cents
        st.sampled_from([None, 0, 1]),  # no lines, or all on one line
    ),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("pay"), st.integers(0, 20)),
)


def _check_invariants(order, lines) -> None:  # type: ignore[no-untyped-def]
    paid = queries.order_paid(order)
    assert queries.refunded_total(order_id=order.pk) <= paid
    assert queries.held_on_order(order.pk) <= paid
    paid_lines = queries.line_paid(order)
    for line_id, amount in queries.refunded_per_line(order.pk).items():
        assert amount <= paid_lines[line_id]
    for line_id, amount in queries.held_per_line(order.pk).items():
        assert amount <= paid_lines[line_id]


def _apply(op, actor, order, lines) -> None:  # type: ignore[no-untyped-def]
    grants = list(Grant.objects.filter(order=order).order_by("pk"))
    if op[0] == "grant":
        _, kind, cents, line_index = op
        amount = Decimal(cents) / 100
        on_lines = []
        if line_index is not None and kind in ("refund", "partial_refund"):
            on_lines = [actions.LineAmount(lines[line_index].pk, amount, 1)]
        actions.grant_refund(
            actor=actor, order_id=order.pk, kind=kind, amount=amount, lines=on_lines
        )
    elif op[0] == "cancel" and grants:
        grant = grants[op[1] % len(grants)]
        actions.cancel_grant(actor=actor, grant_id=grant.pk, reason="changed")
    elif op[0] == "pay" and grants:
        grant = grants[op[1] % len(grants)]
        if grant.status == GrantStatus.EXECUTING:
            execution.mark_paid(actor=actor, grant_id=grant.pk, reference=f"P{grant.pk}")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_refunds_never_exceed_what_was_paid(system_actor, order, lines, ops) -> None:
    with transaction.atomic():
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(op, system_actor, order, lines)
            except DomainError:
                pass  # refused: nothing changed, and the invariants must still hold
            _check_invariants(order, lines)
        transaction.set_rollback(True)  # the next example starts from the same order
