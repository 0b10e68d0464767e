"""Policy evaluation: a pure function of (policy, facts) -> Decision. No ORM, no clock, no I/O.

Semantics (recorded in docs/adr/0010-policy-rule-semantics.md):

1. Rules run in priority order: lower number first; equal priorities keep the written order.
   A rule matches a line when every one of its conditions holds (no conditions = always).
   A condition on an unknown fact (hours since delivery of an undelivered order) never holds.
   A matching rule with `stop` ends the pass: lower rules are not considered for that line.
2. Parameter actions (window_override_days, fee, refund_without_return, bonus_credit,
   auto_approve): the first matching rule that carries the action decides it.
3. Verdicts combine by strength, whatever the priority: reject > needs_review > allow.
   `allow` lifts a failed fixed check (type, window, exclusion, condition requirement, or
   the policy's default of review) to eligible; it never lifts a quantity error.
4. The line's outcome, in this order: quantity wrong -> not eligible; a rule rejects -> not
   eligible; a fixed check failed and no rule allows -> not eligible; a rule or a check asks
   for review, or the policy's default is review and no rule allows or auto-approves ->
   needs review; otherwise eligible. Auto-approval holds only for eligible lines.
5. Money follows refund_math: nothing for exchanges/repairs (no money goes back) or for
   lines that are not eligible; original shipping by the policy's side rule, once per order.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from aftercare.policies import checks
from aftercare.policies.domain import (
    ZERO,
    Decision,
    Facts,
    LineDecision,
    LineFacts,
    OrderFacts,
    Outcome,
    RefundBreakdown,
    RequestLine,
    Step,
    new_step,
)
from aftercare.policies.plan import CompiledRule, Plan, compile_spec
from aftercare.policies.refund_math import LineRequest, compute_refund
from aftercare.policies.spec import Action, PolicySpec

REFUND_TYPES = frozenset({"return_refund", "refund_only", "claim"})
NO_RETURN_TYPES = frozenset({"refund_only", "claim"})
VERDICTS = frozenset({"reject", "needs_review", "allow", "auto_approve"})


class RequestSubject:
    """What request-level conditions read. A plain slotted class: built once per evaluation."""

    __slots__ = (
        "channel",
        "days",
        "hours",
        "order_value",
        "reason",
        "return_rate",
        "risk_tags",
        "side",
        "tier",
        "type",
    )

    def __init__(self, facts: Facts, side: str, clock: checks.Clock) -> None:
        customer, order = facts.customer, facts.order
        self.tier = customer.tier
        self.risk_tags = customer.risk_tags
        self.return_rate = customer.past_return_rate
        self.order_value = order.total
        self.channel = order.channel
        # Age since *delivery*: unknown (None) while the parcel has not arrived.
        self.hours = clock.hours if clock.delivered else None
        self.days = clock.days if clock.delivered else None
        self.type = facts.request.type
        self.reason = facts.request.reason
        self.side = side


class LineSubject:
    __slots__ = ("category", "condition", "flags", "price", "sku")

    def __init__(self, line: LineFacts, wanted: RequestLine) -> None:
        self.category = line.category
        self.sku = line.sku
        self.price = line.unit_price
        self.condition = wanted.stated_condition
        self.flags = _flags(line)


_FLAG_NAMES = ("hygiene", "custom_made", "perishable", "digital", "must_be_unopened")
_flag_sets: dict[tuple[bool, ...], frozenset[str]] = {}


def _flags(line: LineFacts) -> frozenset[str]:
    key = (
        line.is_hygiene,
        line.is_custom_made,
        line.is_perishable,
        line.is_digital,
        line.must_be_unopened,
        not line.returnable,
    )
    flags = _flag_sets.get(key)
    if flags is None:  # at most 64 combinations: build each once
        names = [*_FLAG_NAMES, "non_returnable"]
        flags = _flag_sets[key] = frozenset(n for n, on in zip(names, key, strict=True) if on)
    return flags


class Segment(NamedTuple):
    """Part of the rule pass after the request-level conditions have been judged.

    Runs of rules that do not look at the line come out the same for every line, so they are
    folded once into a fixed segment (rule None: its steps and matched rules are copied as
    they are); a rule with line conditions stays a segment of its own, judged per line.
    """

    rule: CompiledRule | None
    steps: tuple[Step, ...]  # fixed: the run's steps; line rule: its passed request steps
    matched: tuple[CompiledRule, ...]
    stop: bool


def _request_pass(plan: Plan, subject: RequestSubject) -> list[Segment]:
    """Request-level conditions of every rule, judged once and shared by all lines.

    The condition loops here and in _match_rules are written out, not shared through a
    helper: they are the hot path of bench/policy.py and a call per rule costs ~20%.
    """
    segments: list[Segment] = []
    steps: list[Step] = []
    matched: list[CompiledRule] = []
    for rule in plan.rules:
        passed = []
        for c in rule.request_conditions:
            actual = c.get(subject)
            if not c.test(actual):
                steps.append(c.steps.get((actual, False)) or c.step(actual, False))
                break
            passed.append(c.steps.get((actual, True)) or c.step(actual, True))
        else:
            if rule.line_conditions:
                if steps:
                    segments.append(Segment(None, tuple(steps), tuple(matched), False))
                    steps, matched = [], []
                segments.append(Segment(rule, tuple(passed), (), False))
                continue
            steps += passed
            steps.append(rule.matched_step)
            matched.append(rule)
            if rule.stop:
                segments.append(Segment(None, tuple(steps), tuple(matched), True))
                return segments
    if steps:
        segments.append(Segment(None, tuple(steps), tuple(matched), False))
    return segments


def _match_rules(
    segments: list[Segment], subject: LineSubject | None
) -> tuple[list[CompiledRule], list[Step]]:
    """The rules that match one line, in priority order, and the steps that show why."""
    matched: list[CompiledRule] = []
    steps: list[Step] = []
    for rule, passed, fixed_matches, stop in segments:
        if rule is None:
            steps += passed
            matched += fixed_matches
            if stop:
                break
            continue
        line_steps = []
        for c in rule.line_conditions:
            actual = c.get(subject)
            if not c.test(actual):
                steps.append(c.steps.get((actual, False)) or c.step(actual, False))
                break
            line_steps.append(c.steps.get((actual, True)) or c.step(actual, True))
        else:
            steps += passed
            steps += line_steps
            steps.append(rule.matched_step)
            matched.append(rule)
            if rule.stop:
                break
    return matched, steps


class Actions:
    """The effective actions for a line: verdict rules by kind, first carrier of each parameter."""

    __slots__ = ("allow", "auto_approve", "needs_review", "params", "reject", "steps")

    def __init__(self, matched: list[CompiledRule]) -> None:
        self.reject: str | None = None
        self.needs_review: str | None = None
        self.allow: str | None = None
        self.auto_approve: str | None = None
        self.params: dict[str, tuple[str, Action]] = {}
        params = self.params
        for rule in matched:
            # The first rule to carry a kind decides it: rules arrive in priority order.
            for kind, action in rule.effects:
                if kind in VERDICTS:
                    if getattr(self, kind) is None:
                        setattr(self, kind, rule.name)
                elif kind not in params:
                    params[kind] = (rule.name, action)
        self.steps = tuple(
            Step("action", name, kind, "", _action_value(action), None, True)
            for kind, (name, action) in params.items()
        )

    def param(self, kind: str) -> Action | None:
        found = self.params.get(kind)
        return found[1] if found else None


def _actions_for(plan: Plan, matched: list[CompiledRule]) -> Actions:
    """Actions depend only on which rules matched; requests hit the same few combinations."""
    key = tuple([rule.name for rule in matched])
    actions = plan.memo.get(key)
    if actions is None:
        if len(plan.memo) > 4096:
            plan.memo.clear()
        actions = plan.memo[key] = Actions(matched)
    return actions


class Judged:
    """A line's verdict before the money is worked out."""

    __slots__ = ("actions", "auto", "decided_by", "limit", "line", "outcome", "steps", "wanted")

    def __init__(self, line: LineFacts, wanted: RequestLine) -> None:
        self.line, self.wanted = line, wanted
        self.outcome = Outcome.NOT_ELIGIBLE
        self.auto = False
        self.decided_by: tuple[str, ...] = ()
        self.limit: int | None = None
        self.steps: list[Step] = []
        self.actions: Actions | None = None


def _baseline(
    plan: Plan, facts: Facts, judged: Judged, side: str, clock: checks.Clock, actions: Actions
) -> Outcome:
    line, wanted, steps = judged.line, judged.wanted, judged.steps
    request_type = facts.request.type
    override = actions.param("window_override_days")
    limit, source = checks.window_limit(
        plan, line, request_type, override.days if override else None
    )
    judged.limit = limit
    worst = checks.window_check(limit, source, clock, steps)
    if request_type in checks.SIDE_CHECKED_TYPES:
        worst = _worse(worst, checks.type_check(request_type, side, clock.delivered, steps))
    if side != "merchant" or plan.spec.exclusions.apply_to_merchant_fault:
        worst = _worse(worst, checks.exclusion_check(plan, line, wanted, side, steps))
    if side != "merchant":
        worst = _worse(worst, checks.requirement_check(plan, line, wanted, side, steps))
    return worst


_RANK = {Outcome.ELIGIBLE: 0, Outcome.NEEDS_REVIEW: 1, Outcome.NOT_ELIGIBLE: 2}


def _worse(a: Outcome, b: Outcome) -> Outcome:
    return a if _RANK[a] >= _RANK[b] else b


def _decide(plan: Plan, baseline: Outcome, actions: Actions) -> tuple[Outcome, tuple[str, ...]]:
    if actions.reject:
        return Outcome.NOT_ELIGIBLE, (actions.reject,)
    lifted = actions.allow is not None
    if baseline is Outcome.NOT_ELIGIBLE and not lifted:
        return Outcome.NOT_ELIGIBLE, ()
    if actions.needs_review:
        return Outcome.NEEDS_REVIEW, (actions.needs_review,)
    if baseline is Outcome.NEEDS_REVIEW and not lifted:
        return Outcome.NEEDS_REVIEW, ()
    by_default = plan.spec.default_outcome == "needs_review"
    if by_default and not lifted and actions.auto_approve is None:
        return Outcome.NEEDS_REVIEW, ()
    decided = tuple(name for name in (actions.allow, actions.auto_approve) if name)
    return Outcome.ELIGIBLE, decided


def _judge_line(
    plan: Plan,
    facts: Facts,
    wanted: RequestLine,
    side: str,
    clock: checks.Clock,
    rule_result: tuple[list[CompiledRule], list[Step]],
    line: LineFacts,
) -> Judged:
    judged = Judged(line, wanted)
    quantity = checks.quantity_step(line, wanted)
    judged.steps.append(quantity)
    matched, rule_steps = rule_result
    actions = judged.actions = _actions_for(plan, matched)
    if not quantity.passed:
        judged.steps.append(Step("outcome", None, "outcome", "", None, "not_eligible", True))
        return judged
    baseline = _baseline(plan, facts, judged, side, clock, actions)
    judged.steps.extend(rule_steps)
    judged.outcome, judged.decided_by = _decide(plan, baseline, actions)
    judged.auto = judged.outcome is Outcome.ELIGIBLE and actions.auto_approve is not None
    judged.steps += actions.steps
    last_rule = judged.decided_by[0] if judged.decided_by else None
    judged.steps.append(
        new_step(
            (
                "outcome",
                last_rule,
                "outcome",
                "auto_approve" if judged.auto else "",
                None,
                judged.outcome.value,
                True,
            )
        )
    )
    return judged


def _action_value(action: Action) -> Any:
    if action.kind == "window_override_days":
        return action.days
    if action.kind == "bonus_credit":
        return action.amount
    if action.kind == "fee":
        return {"percent": action.percent, "fixed": action.fixed}
    return True


def evaluate(policy: Plan | PolicySpec, facts: Facts) -> Decision:
    """Judge every requested line; see the module docstring for how rules combine."""
    plan = policy if isinstance(policy, Plan) else compile_spec(policy)
    order, request = facts.order, facts.request
    clock = checks.Clock(order, request.requested_at)
    side = plan.reason_sides.get(request.reason, "customer")
    request_pass = _request_pass(plan, RequestSubject(facts, side, clock))
    shared = None if plan.line_rules else _match_rules(request_pass, None)
    judged: list[Judged] = []
    for wanted in request.lines:
        line = order.line(wanted.line_id)
        if line is None:
            raise ValueError(f"line {wanted.line_id} is not on order {order.external_id}")
        rules = shared or _match_rules(request_pass, LineSubject(line, wanted))
        judged.append(_judge_line(plan, facts, wanted, side, clock, rules, line))
    return _settle(plan, facts, judged, side, clock)


def _settle(
    plan: Plan, facts: Facts, judged: list[Judged], side: str, clock: checks.Clock
) -> Decision:
    """Work out the money for the judged lines and assemble the decision."""
    order, request = facts.order, facts.request
    refunds = request.type in REFUND_TYPES
    percent, fixed = plan.fee_by_side[side]
    line_requests = []
    for item in judged:
        fee = item.actions.param("fee") if item.actions else None
        line_requests.append(
            LineRequest(
                item.line,
                item.wanted.quantity,
                (fee.percent or ZERO) if fee else percent,
                (fee.fixed or ZERO) if fee else fixed,
                refunds and item.outcome is not Outcome.NOT_ELIGIBLE,
            )
        )
    refund_shipping, shipping_step = _shipping_refund(plan, order, judged, side, refunds)
    money = compute_refund(order, line_requests, refund_shipping=refund_shipping)
    payer = _return_payer(plan, facts)
    lines = tuple(
        [
            _line_decision(item, breakdown, side, payer, clock)
            for item, breakdown in zip(judged, money.lines, strict=True)
        ]
    )
    bonus = ZERO
    for line in lines:
        if line.bonus_credit:
            bonus += line.bonus_credit
    return Decision(
        policy_version_id=plan.version_id,
        request_type=request.type,
        reason=request.reason,
        side=side,
        refund_point=plan.refund_point,
        review_business_days=plan.spec.review_business_days,
        lines=lines,
        shipping_refund=money.shipping,
        refund_total=money.total,
        bonus_credit_total=bonus,
        currency=order.currency,
        delivered=clock.delivered,
        hours_since_start=clock.hours,
        trace=(shipping_step,),
        refund_method=plan.spec.refund_method,
    )


def _return_payer(plan: Plan, facts: Facts) -> str:
    """Who pays to send the item back: by reason, except that the order's return-shipping
    insurance (运费险) takes over the customer's share when the policy honours it."""
    if facts.request.type in NO_RETURN_TYPES:
        return "none"
    payer = plan.payer_by_reason[facts.request.reason]
    insured = facts.order.return_shipping_insurance and plan.spec.shipping.insurance_covers_return
    return "insurance" if payer == "customer" and insured else payer


def _line_decision(
    item: Judged, breakdown: RefundBreakdown, side: str, payer: str, clock: checks.Clock
) -> LineDecision:
    actions = item.actions
    keep = actions.param("refund_without_return") if actions else None
    bonus = actions.param("bonus_credit") if actions else None
    eligible = item.outcome is not Outcome.NOT_ELIGIBLE
    no_return = keep is not None and eligible
    return LineDecision(
        line_id=item.line.line_id,
        quantity=item.wanted.quantity,
        outcome=item.outcome,
        auto_approve=item.auto,
        side=side,
        shipping_payer="none" if no_return else payer,
        refund_without_return=no_return or payer == "none",
        bonus_credit=(bonus.amount or ZERO) if bonus and eligible else ZERO,
        window_days=item.limit,
        days_since_start=clock.days,
        decided_by=item.decided_by,
        refund=breakdown,
        trace=tuple(item.steps),
    )


def _shipping_refund(
    plan: Plan, order: OrderFacts, judged: list[Judged], side: str, refunds: bool
) -> tuple[bool, Step]:
    rule = plan.shipping_refund_by_side.get(side, "never")
    accepted = [item for item in judged if item.outcome is not Outcome.NOT_ELIGIBLE]
    full = _covers_whole_order(order, accepted) if rule == "full_return" else None
    wanted = refunds and bool(accepted) and (rule == "always" or bool(full))
    step = new_step(("shipping_refund", None, "refund_original", rule, side, full, wanted))
    return wanted, step


def _covers_whole_order(order: OrderFacts, accepted: list[Judged]) -> bool:
    coming_back: dict[int, int] = {}
    for item in accepted:
        coming_back[item.line.line_id] = (
            coming_back.get(item.line.line_id, 0) + item.wanted.quantity
        )
    return all(
        line.returned_quantity + coming_back.get(line.line_id, 0) >= line.quantity
        for line in order.lines
    )
