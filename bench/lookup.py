"""Benchmark: customer-360 lookups (GET /api/v1/customers/lookup?q=) per second and p50/p99
latency by query kind, against `aftercare serve`, on SQLite and PostgreSQL.

For each database it migrates a fresh one, seeds `aftercare seed-demo --orders N` (the issue
asks for 1,000,000; `--orders` smaller for a quick run), opens some cases, picks targets of
each kind (a phone written the local way, an email, an order number, a tracking number, an RMA
number), starts `aftercare serve` and has the clients look each up. Latency is read from the
response's Server-Timing header (time inside the view, server-side) and also measured at the
client. The same lookups are run as hand-written SQL in-process (the same queries, no ORM,
no HTTP) and the ratio of p50s is printed. Figures are printed last, `name: value unit`.

    .venv/bin/python bench/lookup.py [--orders 1000000] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from upsert import free_port, fresh_postgres, server_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/aftercare_bench_lookup"
KINDS = ("phone", "email", "order_number", "tracking_number", "case_number")
CASES_TO_OPEN = 200


# --- In the child process: key, cases, targets, raw SQL timings -----------------------------


def setup(per_kind: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
    django.setup()
    from aftercare.commerce.models import Customer, Order, Shipment
    from aftercare.core.actors import Actor
    from aftercare.merchants.actions import create_api_key
    from aftercare.merchants.models import Merchant
    from aftercare.returns.models import Case

    merchant = Merchant.objects.get(slug="demo")
    actor = Actor.system(merchant, label="bench")
    _, token = create_api_key(actor=actor, name="bench", scopes=["desk.read"])
    if not Case.objects.filter(merchant=merchant).exists():
        _open_cases(actor)
    _analyze()
    rng = random.Random(7)
    customers = list(
        Customer.objects.filter(merchant=merchant).exclude(phone="").values_list("phone", "email")
    )
    sample = rng.sample(customers, min(per_kind, len(customers)))
    orders = list(Order.objects.filter(merchant=merchant).values_list("external_id", flat=True))
    tracking = list(
        Shipment.objects.filter(merchant=merchant).values_list("tracking_number", flat=True)
    )
    cases = list(Case.objects.filter(merchant=merchant).values_list("number", flat=True))
    targets = {
        # The local way of writing a Chinese mobile number, with spaces.
        "phone": [_local(p) for p, _ in sample],
        "email": [e for _, e in sample if e],
        "order_number": rng.sample(orders, min(per_kind, len(orders))),
        "tracking_number": rng.sample(tracking, min(per_kind, len(tracking))),
        "case_number": [rng.choice(cases) for _ in range(per_kind)] if cases else [],
    }
    out = {"token": token, "targets": targets, "merchant_id": merchant.pk}
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps(out))


def _analyze() -> None:
    """Planner statistics as a running deployment has them (autovacuum's ANALYZE); a bulk
    seed leaves the big tables unanalysed, and PostgreSQL then plans as if they were empty."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def raw_sql() -> None:
    """In a child, after the HTTP run (so both see the same warm caches): the raw SQL p50s."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
    django.setup()
    info = json.loads(Path(os.environ["BENCH_OUT"]).read_text())
    raw = {k: _raw_sql_p50(info["merchant_id"], k, v) for k, v in info["targets"].items()}
    queries = {k: _queries_per_lookup(info["token"], v) for k, v in info["targets"].items() if v}
    Path(os.environ["BENCH_OUT"] + ".raw").write_text(json.dumps(raw | {"queries": queries}))


def _queries_per_lookup(token: str, values: list[str]) -> int:
    """The most SQL statements one lookup of this kind sent, the API key's included (through
    Django's test client, in-process: the same view and middleware as the server)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    # First the key's last-used touch (at most once a minute), which is not the lookup's.
    client.get(f"/api/v1/customers/lookup?q={quote(values[0])}")
    most = 0
    for value in values[:20]:
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/api/v1/customers/lookup?q={quote(value)}")
        most = max(most, len(captured.captured_queries))
    return most


def _local(phone: str) -> str:
    digits = phone.removeprefix("+86")
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}" if len(digits) == 11 else phone


def _open_cases(actor: Any) -> None:
    from aftercare.commerce.models import Order, OrderStatus
    from aftercare.core.errors import DomainError
    from aftercare.policies.actions import create_policy
    from aftercare.policies.models import ReturnPolicy
    from aftercare.policies.presets import PRESETS
    from aftercare.returns.actions import LineRequest, create_case

    if not ReturnPolicy.objects.filter(merchant=actor.merchant).exists():
        create_policy(actor=actor, name="bench", spec=PRESETS["custom"]())
    orders = Order.objects.filter(merchant=actor.merchant, status=OrderStatus.DELIVERED)
    opened = 0
    for order in orders.order_by("-placed_at").prefetch_related("lines")[: CASES_TO_OPEN * 3]:
        line = order.lines.all()[0]
        try:
            create_case(
                actor=actor,
                order_id=order.pk,
                lines=[LineRequest(order_line_id=line.pk, quantity=1)],
                type="return_refund",
                reason="size",
            )
        except DomainError:
            continue
        opened += 1
        if opened >= CASES_TO_OPEN:
            return


# The lookup as hand-written SQL: resolve the input to a customer id, then the same bounded
# reads the panel makes. No ORM, no HTTP, no serialisation: the floor to compare against.
RESOLVE = {
    "phone": "SELECT id FROM commerce_customer WHERE merchant_id = %s AND phone = %s LIMIT 1",
    "email": "SELECT id FROM commerce_customer WHERE merchant_id = %s AND email = %s LIMIT 1",
    "order_number": "SELECT customer_id FROM commerce_order WHERE merchant_id = %s "
    "AND external_id = %s LIMIT 1",
    "tracking_number": "SELECT o.customer_id FROM commerce_shipment s JOIN commerce_order o "
    "ON o.id = s.order_id WHERE s.merchant_id = %s AND s.tracking_number = %s LIMIT 1",
    "case_number": "SELECT customer_id FROM returns_case WHERE merchant_id = %s AND number = %s "
    "LIMIT 1",
}
PANEL = [
    "SELECT * FROM commerce_customer WHERE merchant_id = %s AND id = %s",
    "SELECT * FROM commerce_order WHERE merchant_id = %s AND customer_id = %s "
    "ORDER BY placed_at DESC, id DESC LIMIT 5",
    "SELECT * FROM returns_case c JOIN commerce_order o ON o.id = c.order_id "
    "WHERE c.merchant_id = %s AND c.customer_id = %s AND c.status NOT IN "
    "('closed', 'cancelled', 'refunded', 'exchanged', 'repaired', 'rejected', "
    "'resolved_by_negotiation') ORDER BY c.created_at DESC LIMIT 10",
    "SELECT * FROM returns_case c JOIN commerce_order o ON o.id = c.order_id "
    "WHERE c.merchant_id = %s AND c.customer_id = %s AND c.status IN "
    "('closed', 'cancelled', 'refunded', 'exchanged', 'repaired', 'rejected', "
    "'resolved_by_negotiation') ORDER BY c.created_at DESC LIMIT 5",
    "SELECT * FROM conversations_conversation WHERE merchant_id = %s AND customer_id = %s "
    "ORDER BY last_message_at DESC, id DESC LIMIT 5",
]
CHILDREN = [
    "SELECT * FROM commerce_orderline WHERE order_id IN ({ids}) ORDER BY line_no",
    "SELECT * FROM commerce_shipment WHERE order_id IN ({ids}) ORDER BY id",
]


def _raw_sql_p50(merchant_id: int, kind: str, values: list[str]) -> float | None:
    from django.db import connection

    from aftercare.commerce.phones import to_e164

    if not values:
        return None
    timings = []
    with connection.cursor() as cursor:
        for value in values:
            started = time.perf_counter()
            key = to_e164(value, region="CN") if kind == "phone" else value
            cursor.execute(RESOLVE[kind], [merchant_id, key])
            row = cursor.fetchone()
            if row is not None:
                _raw_panel(cursor, merchant_id, row[0])
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _raw_panel(cursor: Any, merchant_id: int, customer_id: int) -> None:
    order_ids: list[int] = []
    for number, sql in enumerate(PANEL):
        cursor.execute(sql, [merchant_id, customer_id])
        rows = cursor.fetchall()
        if number == 1:
            order_ids = [row[0] for row in rows]
    if order_ids:
        ids = ", ".join(str(int(i)) for i in order_ids)
        for sql in CHILDREN:
            cursor.execute(sql.format(ids=ids))
            cursor.fetchall()


# --- In the parent: servers, clients, figures ------------------------------------------------


def look_up(base: str, token: str, targets: dict[str, list[str]], clients: int) -> dict[str, Any]:
    jobs = [(kind, value) for kind in KINDS for value in targets.get(kind, [])]
    random.Random(3).shuffle(jobs)
    results: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    failures: list[str] = []
    lock = threading.Lock()

    def run(share: list[tuple[str, str]]) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for kind, value in share:
                started = time.perf_counter()
                response = client.get(f"/api/v1/customers/lookup?q={quote(value)}")
                client_ms = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code != 200:
                        failures.append(f"{kind} {value}: {response.status_code}")
                        continue
                    server_ms = float(response.headers["Server-Timing"].split("dur=")[1])
                    results[kind].append((server_ms, client_ms))

    threads = [threading.Thread(target=run, args=(jobs[i::clients],)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} lookups failed, e.g. {failures[:3]}")
    return {"results": results, "rate": len(jobs) / elapsed}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_database(args: argparse.Namespace, database: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-lookup-") as scratch:
        tmp = args.data_dir or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env |= {
            "AFTERCARE_DATA_DIR": tmp,
            "BENCH_OUT": str(Path(tmp) / "setup.json"),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + os.urandom(16).hex(),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        if database == "sqlite" and args.sqlite_conn_max_age:
            # The same file through DATABASE_URL, to let each worker keep its connection.
            env |= {
                "DATABASE_URL": f"sqlite:///{Path(tmp).resolve() / 'aftercare.sqlite3'}",
                "DATABASE_CONN_MAX_AGE": str(args.sqlite_conn_max_age),
            }
        if database == "postgres":
            env |= {
                "DATABASE_URL": args.database_url
                if args.reuse
                else fresh_postgres(args.database_url),
                "DATABASE_CONN_MAX_AGE": "0",
                "DATABASE_POOL_SIZE": "4",
            }
        (Path(tmp) / "static").mkdir(parents=True, exist_ok=True)
        aftercare = str(BIN / "aftercare")
        subprocess.run([aftercare, "migrate", "-v", "0"], env=env, check=True)
        seeded = 0.0
        if not (args.reuse and _seeded(env)):
            print(f"{database}: seeding {args.orders} demo orders", file=sys.stderr)
            began = time.perf_counter()
            seed = [aftercare, "seed-demo", "--orders", str(args.orders), "--no-progress"]
            subprocess.run(seed, env=env, check=True, stdout=subprocess.DEVNULL)
            seeded = time.perf_counter() - began
        setup_run = [sys.executable, __file__, "--setup", str(args.per_kind)]
        subprocess.run(setup_run, env=env, check=True)
        info = json.loads(Path(env["BENCH_OUT"]).read_text())
        port = free_port()
        command = server_command(port)
        if "serve" in command:
            command += ["--workers", str(args.workers)]
        server = subprocess.Popen(command, env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, info["token"], server)
            warm = {kind: values[:20] for kind, values in info["targets"].items()}
            look_up(base, info["token"], warm, args.clients)
            print(f"{database}: {args.clients} clients looking up", file=sys.stderr)
            run = look_up(base, info["token"], info["targets"], args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run([sys.executable, __file__, "--raw"], env=env, check=True)
        raw = json.loads(Path(env["BENCH_OUT"] + ".raw").read_text())
    return figures(database, args, seeded, run, raw)


def _seeded(env: dict[str, str]) -> bool:
    probe = (
        "from aftercare.commerce.models import Order;"
        "print(Order.objects.filter(merchant__slug='demo').exists())"
    )
    result = subprocess.run(
        [str(BIN / "aftercare"), "shell", "-c", probe], env=env, capture_output=True, text=True
    )
    lines = result.stdout.strip().splitlines()  # the shell may print a banner first
    return bool(lines) and lines[-1] == "True"


def figures(
    database: str, args: argparse.Namespace, seeded: float, run: dict[str, Any], raw: dict[str, Any]
) -> list[str]:
    lines = [
        f"lookup_{database}_seeded_orders: {args.orders} orders",
        f"lookup_{database}_rate: {run['rate']:.1f} lookups/s",
    ]
    if seeded:
        lines.insert(1, f"lookup_{database}_seed_time: {seeded:.1f} s")
    every_server: list[float] = []
    for kind in KINDS:
        rows = run["results"][kind]
        if not rows:
            continue
        server = [s for s, _ in rows]
        client = [c for _, c in rows]
        every_server += server
        p50 = statistics.median(server)
        lines += [
            f"lookup_{database}_{kind}_server_p50: {p50:.2f} ms",
            f"lookup_{database}_{kind}_server_p99: {percentile(server, 0.99):.2f} ms",
            f"lookup_{database}_{kind}_client_p50: {statistics.median(client):.2f} ms",
            f"lookup_{database}_{kind}_client_p99: {percentile(client, 0.99):.2f} ms",
        ]
        if kind in raw.get("queries", {}):
            lines.append(f"lookup_{database}_{kind}_queries: {raw['queries'][kind]} queries")
        if raw.get(kind):
            lines.append(f"lookup_{database}_{kind}_raw_sql_p50: {raw[kind]:.3f} ms")
            lines.append(f"lookup_{database}_{kind}_vs_raw_sql_p50: {p50 / raw[kind]:.1f} x")
    lines.append(f"lookup_{database}_server_p99_all: {percentile(every_server, 0.99):.2f} ms")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--per-kind", type=int, default=300, help="lookups of each kind")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database that is already seeded (PostgreSQL: not dropped; SQLite: "
        "with --data-dir) instead of seeding again",
    )
    parser.add_argument("--data-dir", default="", help="keep the SQLite database here")
    parser.add_argument(
        "--sqlite-conn-max-age",
        type=int,
        default=0,
        help="seconds a server worker keeps its SQLite connection (default 0: a new one per "
        "request, as the default deployment does)",
    )
    parser.add_argument("--setup", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.setup)
        return
    if args.raw:
        raw_sql()
        return
    lines: list[str] = []
    for database in args.databases.split(","):
        lines += bench_database(args, database.strip())
    print(f"lookup_clients: {args.clients} clients")
    print(f"lookup_server_workers: {args.workers} processes")
    print(f"lookup_sqlite_conn_max_age: {args.sqlite_conn_max_age} s")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
