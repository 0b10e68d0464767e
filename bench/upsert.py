"""Benchmark: orders per second through POST /api/v1/orders against a running server.

For each database (SQLite always; PostgreSQL with --postgres or BENCH_DATABASE_URL) it makes a
fresh database, migrates it, creates a merchant, a store, products and an API key with the
project's own actions, counts the queries of one upsert batch of 500 and of 50 in-process,
starts `aftercare serve` (or uvicorn on the ASGI app when `serve` is not there), and POSTs
batches of 500 orders of 3 lines over HTTP. Figures are printed last, one `name: value unit`
per line.

    .venv/bin/python bench/upsert.py [--orders 20000] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BATCH = 500
PRODUCTS = 200
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/aftercare_bench"


def order_records(prefix: str, start: int, count: int) -> list[dict[str, Any]]:
    """Orders of 3 lines with an embedded customer and one payment, all money consistent."""
    records = []
    for n in range(start, start + count):
        lines = [
            {"line_no": i + 1, "sku": f"SKU-{(n * 3 + i) % PRODUCTS:04d}", "quantity": 1 + i % 2}
            | {"unit_price": "59.00"}
            for i in range(3)
        ]
        total = sum(59 * line["quantity"] for line in lines)
        records.append(
            {
                "external_id": f"{prefix}{n:08d}",
                "store": "web",
                "customer": {
                    "external_id": f"{prefix}C{n:08d}",
                    "name": f"Customer {n}",
                    "phone": f"+86138{n % 10**8:08d}",
                },
                "status": "paid",
                "placed_at": "2026-03-01T10:00:00+08:00",
                "total": f"{total}.00",
                "lines": lines,
                "payments": [
                    {"external_id": f"{prefix}P{n:08d}", "method": "alipay", "amount": f"{total}"}
                ],
            }
        )
    return records


# --- In the child process: set up the merchant and count queries -----------------------------


def setup_and_count() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
    django.setup()
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aftercare.commerce.actions import upsert_orders, upsert_products
    from aftercare.core.actors import Actor
    from aftercare.merchants.actions import create_api_key, create_merchant
    from aftercare.merchants.models import Store

    merchant = create_merchant(name="Bench Store", slug="bench")
    Store.objects.create(merchant=merchant, code="web", name="Web", channel="own_site")
    actor = Actor.system(merchant, label="bench")
    products = [
        {"sku": f"SKU-{i:04d}", "name": f"Product {i}", "category": "home", "price": Decimal("59")}
        for i in range(PRODUCTS)
    ]
    upsert_products(actor=actor, records=products)
    _, token = create_api_key(actor=actor, name="bench", scopes=["commerce.write"])
    counts = {}
    for size in (500, 50):
        records = order_records(f"Q{size}-", 0, size)
        with CaptureQueriesContext(connection) as captured:
            result = upsert_orders(actor=actor, records=records)
        assert result.count("created") == size, result.as_dict()["results"][:3]
        counts[size] = len(captured)
    print(json.dumps({"token": token, "queries": counts}))


# --- In the parent: databases, server, HTTP load ---------------------------------------------


def fresh_postgres(url: str) -> str:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or "aftercare_bench"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(port: int) -> list[str]:
    aftercare = BIN / "aftercare"
    probe = subprocess.run(
        [str(aftercare), "help", "serve"], capture_output=True, env=os.environ | {"DEBUG": "1"}
    )
    if probe.returncode == 0:
        return [str(aftercare), "serve", "--port", str(port)]
    print("`aftercare serve` is not available; using uvicorn directly", file=sys.stderr)
    app = "aftercare.asgi:application"
    return [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]


def wait_until_up(base: str, token: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server exited before answering; see its output above.")
        try:
            headers = {"Authorization": f"Bearer {token}"}
            if httpx.get(f"{base}/api/v1/me", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("The server did not answer within 60 seconds.")


def post_batches(base: str, token: str, total: int) -> float:
    """POST `total` orders in batches of 500; return orders per second."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = [
        json.dumps({"records": order_records("SO-", start, min(BATCH, total - start))})
        for start in range(0, total, BATCH)
    ]
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        warm = {"records": order_records("WARM-", 0, 50)}
        client.post("/api/v1/orders", json=warm).raise_for_status()
        began = time.perf_counter()
        for body in bodies:
            response = client.post("/api/v1/orders", content=body)
            response.raise_for_status()
            summary = response.json()
            if summary["errors"]:
                raise SystemExit(f"Records failed: {summary['results'][:2]}")
        elapsed = time.perf_counter() - began
    return total / elapsed


def run_backend(label: str, env: dict[str, str], total: int) -> dict[str, Any]:
    (Path(env["AFTERCARE_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    print(f"[{label}] migrating a fresh database", file=sys.stderr)
    subprocess.run([str(BIN / "aftercare"), "migrate", "-v", "0"], env=env, check=True)
    setup = subprocess.run(
        [sys.executable, __file__, "--setup"], env=env, check=True, capture_output=True, text=True
    )
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(server_command(port), env=env, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, info["token"], server)
        print(f"[{label}] posting {total} orders in batches of {BATCH}", file=sys.stderr)
        rate = post_batches(base, info["token"], total)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"rate": rate, "queries": info["queries"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders to post per database")
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_and_count()
        return
    data_dir = Path(tempfile.mkdtemp(prefix="aftercare-bench-"))
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    # Measured as deployed: DEBUG off (no query log kept per request, no debug pages).
    base_env |= {"DEBUG": "0", "SECRET_KEY": "bench-only-" + os.urandom(16).hex()}
    base_env |= {"LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    results = {}
    try:
        env = base_env | {"AFTERCARE_DATA_DIR": str(data_dir / "sqlite")}
        results["sqlite"] = run_backend("sqlite", env, args.orders)
        pg_url = os.environ.get("BENCH_DATABASE_URL") or (DEFAULT_POSTGRES if args.postgres else "")
        if pg_url:
            env = base_env | {
                "AFTERCARE_DATA_DIR": str(data_dir / "postgres"),
                "DATABASE_URL": fresh_postgres(pg_url),
                # As docs/operations.md deploys PostgreSQL: keep connections between requests.
                "DATABASE_CONN_MAX_AGE": "60",
            }
            results["postgres"] = run_backend("postgres", env, args.orders)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    for label, result in results.items():
        print(f"upsert_{label}_orders_per_second: {result['rate']:.0f} orders/s")
    for label, result in results.items():
        for size, count in sorted(result["queries"].items(), key=lambda kv: -int(kv[0])):
            print(f"upsert_{label}_queries_per_batch_{size}: {count} queries")
    first = next(iter(results.values()))
    for size, count in sorted(first["queries"].items(), key=lambda kv: -int(kv[0])):
        print(f"upsert_queries_per_batch_{size}: {count} queries")


if __name__ == "__main__":
    main()
