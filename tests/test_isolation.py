"""Tenant isolation across every API route: merchant B never sees or touches merchant A's data.

Routes are discovered from the NinjaAPI itself, so a new endpoint is covered as soon as it
exists. Its shape decides the check: GET without a path parameter is a list (B must not see A's
data in it, whatever the query), GET with one path id is a detail (B gets 404 for A's object),
POST without a path parameter is a bulk upsert (B's batch naming A's keys changes nothing of A).
A route of any other shape, or a detail whose id this file cannot make, fails the test: write its
case here when you add it.

Apps added later keep their part next to their code, in `aftercare/<app>/tests/isolation.py`:
that module may define `build(world)` (adds A's objects to `world.extra`), `OBJECT_IDS`,
`CASES` (route -> Case) and `SNAPSHOT_MODELS` (rows that must not change). This file imports
every such module when it loads.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client

from aftercare.api import api
from aftercare.commerce.models import Customer, Order, OrderLine, Payment, Product, Shipment
from aftercare.commerce.tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    ShipmentFactory,
)
from aftercare.core.actors import Actor
from aftercare.core.testing import PASSWORD, StoreFactory, api_caller, make_member
from aftercare.merchants.models import Merchant, Role, Store
from aftercare.merchants.queries import scoped
from aftercare.merchants.roles import API_SCOPES
from aftercare.policies.actions import create_policy
from aftercare.policies.models import PolicyVersion, ReturnPolicy
from aftercare.policies.presets import PRESETS
from aftercare.policies.spec import dump_spec
from aftercare.returns.actions import LineRequest, create_case
from aftercare.returns.models import Case as ReturnCase
from aftercare.returns.models import CaseEvent, CaseLine

PREFIX = "/api/v1/"
# Served by ninja itself, not by a router: the schema and the interactive docs hold no data.
NOT_DATA_ROUTES = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}
# Routes any valid key may call, whatever its scopes.
OPEN_TO_EVERY_KEY = {("GET", "/api/v1/me")}


@dataclass
class World:
    """One merchant's data, every string carrying a marker that must not leak."""

    merchant: Merchant
    store: Store
    customer: Customer
    product: Product
    order: Order
    shipment: Shipment
    policy: ReturnPolicy
    case: ReturnCase
    # Objects of apps that keep their isolation cases in aftercare/<app>/tests/isolation.py.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Caller:
    """Merchant B, through one way of signing in."""

    name: str
    send: Callable[[str, str, Any], Any]


def build_world(merchant: Merchant, tag: str) -> World:
    store = StoreFactory(merchant=merchant, code=f"{tag.lower()}-store", name=f"{tag} store")
    customer = CustomerFactory(
        merchant=merchant,
        external_id=f"{tag}-C1",
        name=f"{tag} customer",
        phone="+8613900000001" if tag == "ALPHA" else "+8613900000002",
        email=f"{tag.lower()}@example.com",
    )
    product = ProductFactory(
        merchant=merchant, sku=f"{tag}-SKU", name=f"{tag} kettle", category=f"{tag.lower()}-cat"
    )
    order = OrderFactory(
        merchant=merchant, store=store, customer=customer, external_id=f"{tag}-SO1"
    )
    line = OrderLineFactory(order=order, product=product, line_no=1)
    PaymentFactory(order=order, external_id=f"{tag}-PAY1")
    shipment = ShipmentFactory(
        order=order, external_id=f"{tag}-SH1", tracking_number=f"{tag}TRACK1"
    )
    policy = create_policy(
        actor=Actor.system(merchant), name=f"{tag} returns", spec=PRESETS["china_7day"]()
    )
    case = create_case(
        actor=Actor.system(merchant),
        order_id=order.pk,
        lines=[LineRequest(order_line_id=line.pk, quantity=1)],
        type="return_refund",
        reason="size",
        description=f"{tag} case",
    )
    world = World(merchant, store, customer, product, order, shipment, policy, case)
    for build in WORLD_BUILDERS:
        build(world)
    return world


# How to name merchant A's object for a detail route, by path parameter.
OBJECT_IDS: dict[str, Callable[[World], int]] = {
    "store_id": lambda w: w.store.pk,
    "customer_id": lambda w: w.customer.pk,
    "product_id": lambda w: w.product.pk,
    "order_id": lambda w: w.order.pk,
    "shipment_id": lambda w: w.shipment.pk,
    "policy_id": lambda w: w.policy.pk,
    "case_id": lambda w: w.case.pk,
}


def _order_naming_alpha(w: World) -> dict[str, Any]:
    return {
        "external_id": w.order.external_id,
        "store": w.store.code,
        "customer_external_id": w.customer.external_id,
        "status": "paid",
        "placed_at": "2026-01-01T00:00:00Z",
        "lines": [{"line_no": 1, "sku": w.product.sku, "quantity": 1, "unit_price": "1.00"}],
        "payments": [{"external_id": "ALPHA-PAY1", "method": "card", "amount": "1.00"}],
    }


CheckFn = Callable[[str, "World", "Caller"], None]


@dataclass
class Case:
    """How to check a route that is not a plain GET list or detail.

    `body` is a request body valid enough to reach the view (its permission check);
    `check(path, alpha, caller)` proves B's call neither reveals nor changes A's data.
    """

    body: Callable[[World], Any]
    check: Callable[[str, World, Caller], None]


def _upsert_case(records: Callable[[World], list[dict[str, Any]]]) -> Case:
    return Case(body=lambda w: {"records": records(w)}, check=_check_upsert)


def list_queries(w: World) -> list[str]:
    """Query strings that would find A's data if a list forgot to scope (unknown ones ignored)."""
    return [
        "",
        f"?q={w.order.external_id}",
        f"?q={w.customer.phone[3:]}",
        f"?q={w.customer.email}",
        f"?q={w.customer.external_id}",
        f"?q={w.product.sku}",
        f"?tracking_number={w.shipment.tracking_number}",
        f"?customer_id={w.customer.pk}",
        f"?store={w.store.code}",
        f"?category={w.product.category}",
    ]


ALPHA_MARKERS = re.compile(r"alpha|13900000001|acme", re.IGNORECASE)


def discovered_routes() -> set[tuple[str, str]]:
    """Every (method, path) the API serves, from its URL patterns and its OpenAPI document."""
    schema = api.get_openapi_schema(path_prefix=PREFIX)
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }
    served = {PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern)) for p in api.urls[0]}
    hidden = served - {path for _, path in documented} - NOT_DATA_ROUTES
    assert not hidden, f"Routes served but not in the OpenAPI document: {sorted(hidden)}"
    return documented


def shape(method: str, path: str) -> str:
    params = re.findall(r"{(\w+)}", path)
    if (method, path) in CASES:
        return "case"
    if method == "GET" and not params:
        return "list"
    if method == "GET" and len(params) == 1:
        if params[0] not in OBJECT_IDS:
            return f"unknown: add {params[0]!r} to OBJECT_IDS"
        return "detail"
    return "unknown: add a Case for it to CASES"


ROUTES = sorted(discovered_routes())


def test_every_route_has_a_known_shape() -> None:
    unknown = {f"{m} {p}": s for m, p in ROUTES if (s := shape(m, p)).startswith("unknown")}
    assert not unknown, f"Routes the isolation test cannot check yet: {unknown}"
    assert len(ROUTES) >= 14


def test_an_unknown_shape_is_reported() -> None:
    assert shape("DELETE", "/api/v1/orders/{order_id}").startswith("unknown")
    assert shape("GET", "/api/v1/widgets/{widget_id}").startswith("unknown")
    assert shape("POST", "/api/v1/widgets").startswith("unknown")


@pytest.fixture
def alpha(merchant: Merchant) -> World:
    return build_world(merchant, "ALPHA")


@pytest.fixture
def bravo(other_merchant: Merchant) -> World:
    return build_world(other_merchant, "BRAVO")


def _key_caller(merchant: Merchant, scopes: list[str] | None = None) -> Caller:
    caller = api_caller(merchant, scopes)

    def send(method: str, path: str, body: Any) -> Any:
        return caller.post(path, body) if method == "POST" else caller.get(path)

    return Caller("api key", send)


def _session_caller(merchant: Merchant) -> Caller:
    member = make_member(merchant, Role.ADMIN, "bravo-admin")
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)

    def send(method: str, path: str, body: Any) -> Any:
        if method == "POST":
            return client.post(path, json.dumps(body), content_type="application/json")
        return client.get(path)

    return Caller("session", send)


@pytest.fixture(params=["api key", "session"])
def bravo_caller(request: pytest.FixtureRequest, bravo: World) -> Caller:
    if request.param == "api key":
        return _key_caller(bravo.merchant)
    return _session_caller(bravo.merchant)


def alpha_snapshot(merchant: Merchant) -> dict[str, list[dict[str, Any]]]:
    models = [
        Store,
        Customer,
        Product,
        Order,
        OrderLine,
        Payment,
        Shipment,
        ReturnPolicy,
        PolicyVersion,
        ReturnCase,
        CaseLine,
        CaseEvent,
        *SNAPSHOT_MODELS,
    ]
    return {m.__name__: list(scoped(m, merchant).order_by("pk").values()) for m in models}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_other_merchant_gets_404_or_nothing(
    method: str, path: str, alpha: World, bravo_caller: Caller
) -> None:
    kind = shape(method, path)
    if kind == "detail":
        _check_detail(path, alpha, bravo_caller)
    elif kind == "list":
        _check_list(path, alpha, bravo_caller)
    elif kind == "case":
        CASES[(method, path)].check(path, alpha, bravo_caller)
    else:
        pytest.fail(f"{method} {path}: {kind}")


def _check_detail(path: str, alpha: World, caller: Caller) -> None:
    param = re.findall(r"{(\w+)}", path)[0]
    url = path.replace(f"{{{param}}}", str(OBJECT_IDS[param](alpha)))
    assert _key_caller(alpha.merchant).send("GET", url, None).status_code == 200, "A sees it"

    response = caller.send("GET", url, None)

    assert response.status_code == 404, (caller.name, url, response.content)
    assert response.json()["code"] == "not_found"


def _check_list(path: str, alpha: World, caller: Caller) -> None:
    own = _key_caller(alpha.merchant).send("GET", path, None)
    assert ALPHA_MARKERS.search(own.content.decode()), (
        f"A's own {path} shows none of A's data: extend build_world so that it does"
    )
    for query in list_queries(alpha):
        response = caller.send("GET", path + query, None)

        assert response.status_code == 200, (caller.name, path + query, response.content)
        leaked = ALPHA_MARKERS.search(response.content.decode())
        assert leaked is None, f"{caller.name} of B sees {leaked.group()!r} in {path}{query}"


def _check_upsert(path: str, alpha: World, caller: Caller) -> None:
    before = alpha_snapshot(alpha.merchant)

    response = caller.send("POST", path, CASES[("POST", path)].body(alpha))

    assert response.status_code == 200, (caller.name, path, response.content)
    results = [r["result"] for r in response.json()["results"]]
    assert set(results) <= {"created", "error"}, f"B's batch matched A's rows: {results}"
    assert alpha_snapshot(alpha.merchant) == before


def _expect_404_and_nothing_changed(url_of: Callable[[str, World], str]) -> CheckFn:
    """B names A's object in a write: 404, and A's rows are exactly as before."""

    def check(path: str, alpha: World, caller: Caller) -> None:
        before = alpha_snapshot(alpha.merchant)

        response = caller.send("POST", url_of(path, alpha), CASES[("POST", path)].body(alpha))

        assert response.status_code == 404, (caller.name, path, response.content)
        assert alpha_snapshot(alpha.merchant) == before

    return check


def _expect_own_write_only(url_of: Callable[[str, World], str]) -> CheckFn:
    """B's write succeeds for B and leaves every row of A exactly as it was."""

    def check(path: str, alpha: World, caller: Caller) -> None:
        before = alpha_snapshot(alpha.merchant)

        response = caller.send("POST", url_of(path, alpha), CASES[("POST", path)].body(alpha))

        assert response.status_code == 201, (caller.name, path, response.content)
        assert not ALPHA_MARKERS.search(response.content.decode())
        assert alpha_snapshot(alpha.merchant) == before

    return check


def _policy_spec(w: World) -> dict[str, Any]:
    return dump_spec(PRESETS["custom"]())


def _evaluate_alpha_order(w: World) -> dict[str, Any]:
    line = w.order.lines.get()
    return {
        "order_id": w.order.pk,
        "lines": [{"order_line_id": line.pk, "quantity": 1}],
        "type": "return_refund",
        "reason": "size",
    }


def url_for(path: str, world: World) -> str:
    """The path with A's object ids filled in (1 for parameters that name no object)."""
    return re.sub(r"{(\w+)}", lambda m: str(OBJECT_IDS.get(m.group(1), lambda w: 1)(world)), path)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_without_credentials_every_route_is_401(method: str, path: str, alpha: World) -> None:
    url = url_for(path, alpha)
    client = Client()

    response = (
        client.post(url, "{}", content_type="application/json")
        if method == "POST"
        else client.get(url)
    )

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_key_without_the_scope_gets_403(method: str, path: str, alpha: World) -> None:
    if (method, path) in OPEN_TO_EVERY_KEY:
        pytest.skip("open to every key")
    url = url_for(path, alpha)
    body = CASES[(method, path)].body(alpha) if (method, path) in CASES else None
    statuses = {}
    for scope in sorted(set(API_SCOPES) - {"*"}):
        statuses[scope] = _key_caller(alpha.merchant, [scope]).send(method, url, body).status_code

    assert 403 in statuses.values(), f"every single scope may call {method} {path}: {statuses}"
    assert all(status < 500 for status in statuses.values()), statuses


# Every route other than a GET list or a GET detail, with its body and its isolation check.
CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/v1/customers"): _upsert_case(
        lambda w: [{"external_id": w.customer.external_id, "name": "B"}]
    ),
    ("POST", "/api/v1/products"): _upsert_case(
        lambda w: [{"sku": w.product.sku, "name": "B", "category": "b", "price": "1.00"}]
    ),
    ("POST", "/api/v1/orders"): _upsert_case(lambda w: [_order_naming_alpha(w)]),
    ("POST", "/api/v1/shipments"): _upsert_case(
        lambda w: [
            {
                "external_id": w.shipment.external_id,
                "order_external_id": w.order.external_id,
                "carrier": "sf",
                "tracking_number": "X",
                "status": "pending",
            }
        ]
    ),
    ("POST", "/api/v1/policies"): Case(
        body=lambda w: {"name": "B policy", "spec": _policy_spec(w)},
        check=_expect_own_write_only(lambda path, w: path),
    ),
    ("POST", "/api/v1/policies/{policy_id}/versions"): Case(
        body=lambda w: {"spec": _policy_spec(w)},
        check=_expect_404_and_nothing_changed(url_for),
    ),
    ("POST", "/api/v1/policies/presets/{name}"): Case(
        body=lambda w: None,
        check=_expect_own_write_only(lambda path, w: path.replace("{name}", "eu_14day")),
    ),
    ("POST", "/api/v1/policies/evaluate"): Case(
        body=_evaluate_alpha_order,
        check=_expect_404_and_nothing_changed(lambda path, w: path),
    ),
    # B opens a case on A's order: 404, nothing of A written.
    ("POST", "/api/v1/cases"): Case(
        body=lambda w: {**_evaluate_alpha_order(w), "description": "B"},
        check=_expect_404_and_nothing_changed(lambda path, w: path),
    ),
}

# B acts on A's case: every case action is a 404 and leaves A's rows as they were.
_CASE_ACTION_BODIES: dict[str, Callable[[World], Any]] = {
    "approve": lambda w: {},
    "reject": lambda w: {"reason": "B says no"},
    "request-info": lambda w: {"message": "B asks"},
    "ship": lambda w: {"tracking_number": "BTRACK", "carrier": "sf"},
    "receive": lambda w: {},
    "start-inspection": lambda w: None,
    "inspect": lambda w: {
        "lines": [{"case_line_id": w.case.lines.get().pk, "received_quantity": 1, "passed": True}]
    },
    "exchange": lambda w: {
        "items": [
            {"case_line_id": w.case.lines.get().pk, "product_id": w.product.pk, "quantity": 1}
        ]
    },
    "resolve": lambda w: {"kind": "coupon", "coupon_code": "B"},
    "cancel": lambda w: {},
    "appeal": lambda w: {"reason": "B appeals"},
    "decide-appeal": lambda w: {"overturn": True, "reason": "B decides"},
    "close": lambda w: {},
    "complete-exchange": lambda w: {"external_order_id": "B1"},
    "start-repair": lambda w: None,
    "complete-repair": lambda w: None,
    "mark-refunded": lambda w: {"reference": "B"},
    "attachments": lambda w: None,
}
for _action, _body in _CASE_ACTION_BODIES.items():
    CASES[("POST", f"/api/v1/cases/{{case_id}}/{_action}")] = Case(
        body=_body, check=_expect_404_and_nothing_changed(url_for)
    )


# --- Assistant: analysis reads no tenant data; FAQ answers come from the caller's FAQ only ---
_ALPHA_FAQ_QUESTION = "How long is the warranty on the kettle?"


def _check_analyse(path: str, alpha: World, caller: Caller) -> None:
    before = alpha_snapshot(alpha.merchant)

    response = caller.send("POST", path, CASES[("POST", path)].body(alpha))

    assert response.status_code == 200, (caller.name, path, response.content)
    assert not ALPHA_MARKERS.search(response.content.decode())
    assert alpha_snapshot(alpha.merchant) == before


def _check_answer(path: str, alpha: World, caller: Caller) -> None:
    from aftercare.assistant.models import FaqEntry

    FaqEntry.objects.create(
        merchant=alpha.merchant,
        key="alpha-warranty",
        questions={"en": [_ALPHA_FAQ_QUESTION]},
        answers={"en": "ALPHA kettles carry a 99-year warranty."},
    )
    body = CASES[("POST", path)].body(alpha)
    own = _key_caller(alpha.merchant).send("POST", path, body)
    assert ALPHA_MARKERS.search(own.content.decode()), "A is answered from its own FAQ"

    response = caller.send("POST", path, body)

    assert response.status_code == 200, (caller.name, path, response.content)
    assert response.json()["handover"] is True
    assert not ALPHA_MARKERS.search(response.content.decode())


CASES[("POST", "/api/v1/assistant/analyse")] = Case(
    body=lambda w: {"text": "where is my kettle? order 5521983, call me on 13800138000"},
    check=_check_analyse,
)
CASES[("POST", "/api/v1/assistant/answer")] = Case(
    body=lambda w: {"question": _ALPHA_FAQ_QUESTION}, check=_check_answer
)


# --- Apps that keep their own isolation cases (see the module docstring) ---
WORLD_BUILDERS: list[Callable[[World], None]] = []
SNAPSHOT_MODELS: list[type[Model]] = []


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the app has no tests package
        return False


def _load_app_isolation_modules() -> None:
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.isolation"
        if not config.name.startswith("aftercare.") or not _module_exists(name):
            continue
        module = importlib.import_module(name)
        if hasattr(module, "build"):
            WORLD_BUILDERS.append(module.build)
        OBJECT_IDS.update(getattr(module, "OBJECT_IDS", {}))
        CASES.update(getattr(module, "CASES", {}))
        SNAPSHOT_MODELS.extend(getattr(module, "SNAPSHOT_MODELS", []))


_load_app_isolation_modules()
