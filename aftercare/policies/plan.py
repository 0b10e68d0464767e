"""Compiling a spec into a rule plan: done once per policy version, then reused.

Validation (pydantic) and turning conditions into small predicate functions are the slow
part of a policy; evaluation must be fast (bench/policy.py: 20,000 evaluations a second), so
`plan_for(version_id, spec_json)` compiles once and keeps the plan. Versions are immutable,
so a cache keyed by version id can never serve a stale plan.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from aftercare.policies.domain import Step, new_step
from aftercare.policies.spec import (
    CONFIGURABLE_REASONS,
    CUSTOMER_REASONS,
    MERCHANT_FAULT_REASONS,
    Action,
    Condition,
    PolicySpec,
    Side,
    parse_spec,
)

# Fields judged once per request; the rest (product.*, request.condition) once per line.
LINE_FIELDS = frozenset(
    {"product.category", "product.flags", "product.price", "product.sku", "request.condition"}
)
Getter = Callable[[Any], Any]
Test = Callable[[Any], bool]

# attrgetter is C code: reading a fact costs no Python call (this is the hot path).
GETTERS: dict[str, Getter] = {
    "customer.tier": attrgetter("tier"),
    "customer.risk_tags": attrgetter("risk_tags"),
    "customer.return_rate": attrgetter("return_rate"),
    "order.value": attrgetter("order_value"),
    "order.channel": attrgetter("channel"),
    "order.hours_since_delivery": attrgetter("hours"),
    "order.days_since_delivery": attrgetter("days"),
    "request.type": attrgetter("type"),
    "request.reason": attrgetter("reason"),
    "request.reason_side": attrgetter("side"),
    "product.category": attrgetter("category"),
    "product.flags": attrgetter("flags"),
    "product.price": attrgetter("price"),
    "product.sku": attrgetter("sku"),
    "request.condition": attrgetter("condition"),
}


# Facts that can be unknown (None); every other compared fact is always a number.
NULLABLE_FIELDS = frozenset({"order.hours_since_delivery", "order.days_since_delivery"})


def make_test(op: str, expected: Any, field: str = "") -> Test:
    """A one-argument predicate with the expected value bound in.

    None means "unknown" (e.g. hours since delivery of an undelivered order): a comparison
    with an unknown value does not hold, so a rule never fires on a fact that is not there.
    """
    if op == "in":
        return expected.__contains__  # type: ignore[no-any-return]
    if op == "not_in":
        return lambda actual: actual not in expected
    if op in {"gte", "lte"} and field not in NULLABLE_FIELDS:
        # The bound method of the expected number is C code: no Python frame per check.
        # (actual >= expected is expected <= actual.)
        return expected.__le__ if op == "gte" else expected.__ge__  # type: ignore[no-any-return]
    if op == "gte":
        return lambda actual: actual is not None and actual >= expected
    if op == "lte":
        return lambda actual: actual is not None and actual <= expected
    if op == "has_any":
        return lambda actual: not expected.isdisjoint(actual)
    if op == "has_none":
        return expected.isdisjoint  # type: ignore[no-any-return]
    if op == "present":
        return bool
    if op == "absent":
        return operator.not_
    raise ValueError(f"unknown operator {op!r}")


# Durations and rates are floats at evaluation time; money stays Decimal.
_FLOAT_FIELDS = frozenset(
    {"customer.return_rate", "order.hours_since_delivery", "order.days_since_delivery"}
)


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    field: str
    op: str
    expected: Any
    get: Getter
    test: Test
    # The trace step minus (actual, passed), built once: evaluation only appends the value.
    skipped: tuple[Any, ...]
    held: tuple[Any, ...]
    # Steps are immutable, so one per (condition, value) can be shared by every decision:
    # categories, tiers, channels and flags repeat across requests. Bounded per condition.
    steps: dict[tuple[Any, bool], Step] = dataclass_field(
        default_factory=dict, compare=False, repr=False
    )

    def step(self, actual: Any, passed: bool) -> Step:
        key = (actual, passed)
        step = self.steps.get(key)
        if step is None:
            if len(self.steps) >= 256:
                self.steps.clear()
            prefix = self.held if passed else self.skipped
            step = self.steps[key] = new_step((*prefix, actual, passed))
        return step

    def check(self, subject: Any) -> tuple[bool, Any]:
        actual = self.get(subject)
        return self.test(actual), actual


@dataclass(frozen=True, slots=True)
class CompiledRule:
    name: str
    priority: int
    request_conditions: tuple[CompiledCondition, ...]
    line_conditions: tuple[CompiledCondition, ...]
    actions: tuple[Action, ...]
    kinds: frozenset[str]
    stop: bool
    matched_step: Step  # the same trace step every time the rule matches
    effects: tuple[tuple[str, Action], ...]  # (kind, action), first of each kind only

    def action(self, kind: str) -> Action | None:
        for action in self.actions:
            if action.kind == kind:
                return action
        return None


@dataclass(frozen=True, slots=True)
class Plan:
    version_id: int | None
    spec: PolicySpec
    rules: tuple[CompiledRule, ...]
    line_rules: bool  # whether any rule looks at the line (else lines share one rule pass)
    reason_sides: dict[str, str]
    category_windows: dict[str, dict[str, int | None]]
    unopened_categories: frozenset[str]
    # Settings resolved once, so evaluation reads plain dicts and strings.
    windows: dict[str, int | None]
    payer_by_reason: dict[str, str]  # who pays to send the item back, per reason
    shipping_refund_by_side: dict[str, str]  # always | never | full_return
    fee_by_side: dict[str, tuple[Decimal, Decimal]]  # (percent, fixed)
    refund_point: str
    # Per-plan memo of derived values (the actions of a set of matched rules); bounded.
    memo: dict[Any, Any] = dataclass_field(default_factory=dict, compare=False, repr=False)


def compile_condition(condition: Condition, rule_name: str = "") -> CompiledCondition:
    expected: Any = condition.value
    if isinstance(expected, list):
        expected = frozenset(expected)
    elif isinstance(expected, Decimal) and condition.field in _FLOAT_FIELDS:
        expected = float(expected)
    return CompiledCondition(
        field=condition.field,
        op=condition.op,
        expected=expected,
        get=GETTERS[condition.field],
        test=make_test(condition.op, expected, condition.field),
        skipped=("rule_skipped", rule_name, condition.field, condition.op, expected),
        held=("rule_condition", rule_name, condition.field, condition.op, expected),
    )


def compile_rule(rule_spec: Any) -> CompiledRule:
    compiled = [compile_condition(c, rule_spec.name) for c in rule_spec.conditions]
    return CompiledRule(
        name=rule_spec.name,
        priority=rule_spec.priority,
        request_conditions=tuple(c for c in compiled if c.field not in LINE_FIELDS),
        line_conditions=tuple(c for c in compiled if c.field in LINE_FIELDS),
        actions=tuple(rule_spec.actions),
        kinds=frozenset(action.kind for action in rule_spec.actions),
        stop=rule_spec.stop,
        matched_step=Step("rule_matched", rule_spec.name, "", "", None, None, True),
        effects=tuple({a.kind: a for a in reversed(rule_spec.actions)}.items())[::-1],
    )


def compile_spec(spec: PolicySpec, version_id: int | None = None) -> Plan:
    # sorted() is stable: equal priorities keep the order the merchant wrote them in.
    ordered = sorted(spec.rules, key=lambda rule: rule.priority)
    rules = tuple(compile_rule(rule) for rule in ordered)
    sides = {str(reason): str(Side.MERCHANT) for reason in MERCHANT_FAULT_REASONS}
    # late_delivery/other default to the customer until the spec says otherwise.
    customer = CUSTOMER_REASONS | CONFIGURABLE_REASONS
    sides.update({str(reason): str(Side.CUSTOMER) for reason in customer})
    sides.update({k: str(v) for k, v in spec.reason_sides.model_dump().items()})
    return Plan(
        version_id=version_id,
        spec=spec,
        rules=rules,
        line_rules=any(rule.line_conditions for rule in rules),
        reason_sides=sides,
        category_windows={
            item.category: {
                "return_days": item.return_days,
                "exchange_days": item.exchange_days,
                "warranty_days": item.warranty_days,
            }
            for item in spec.category_windows
        },
        unopened_categories=frozenset(spec.conditions.unopened_categories),
        windows=spec.windows.model_dump(),
        payer_by_reason=_payers(spec, sides),
        shipping_refund_by_side={
            str(side): str(rule) for side, rule in spec.shipping.refund_original.items()
        },
        fee_by_side={
            "merchant": (spec.restocking_fee.merchant.percent, spec.restocking_fee.merchant.fixed),
            "customer": (spec.restocking_fee.customer.percent, spec.restocking_fee.customer.fixed),
        },
        refund_point=str(spec.refund_point),
    )


def _payers(spec: PolicySpec, sides: dict[str, str]) -> dict[str, str]:
    by_side = {str(k): str(v) for k, v in spec.shipping.return_payer.items()}
    by_reason = {str(k): str(v) for k, v in spec.shipping.return_payer_by_reason.items()}
    return {
        reason: by_reason.get(reason) or by_side.get(side, side) for reason, side in sides.items()
    }


_plans: dict[tuple[int, str], Plan] = {}


def plan_for(version_id: int, stamp: str, spec: dict[str, Any]) -> Plan:
    """The compiled plan of a stored version; compiled on first use, then from the cache.

    `stamp` (the version's created_at) joins the id in the key: SQLite can hand out an id
    again after a rollback, and a cached plan must never belong to another spec.
    """
    key = (version_id, stamp)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) > 1024:  # a long-running worker must not grow without bound
            _plans.clear()
        plan = _plans[key] = compile_spec(parse_spec(spec), version_id)
    return plan


def plan_of(version_id: int, stamp: str) -> Plan:
    """plan_for() when the caller has only the version's id and stamp (folded into a query of
    its own, see queries.active_version_columns): the spec is read once per version and
    process, on the first use; afterwards the plan costs no query at all."""
    plan = _plans.get((version_id, stamp))
    if plan is None:
        # Imported here: the compiler itself runs without Django set up (bench/policy.py).
        from aftercare.policies.models import PolicyVersion

        spec = PolicyVersion.objects.values_list("spec", flat=True).get(pk=version_id)
        plan = plan_for(version_id, stamp, spec)
    return plan
