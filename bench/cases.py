"""Benchmark: case creations per second through POST /api/v1/cases, 4 concurrent clients,
on PostgreSQL with a seeded demo store.

It makes a fresh PostgreSQL database (BENCH_DATABASE_URL or --database-url), migrates it,
seeds `aftercare seed-demo --orders N` (1,000,000 by default, as the issue asks; about 3 minutes
here, and `--keep-seed` keeps the seeded database as a template that later runs clone in
seconds), installs a policy that auto-approves every request (the longest
creation path: judged, approved, return instructions issued), counts the queries of single
creations with 1 and 3 lines in-process, starts `aftercare serve`, and has 4 clients POST one
case each for distinct seeded orders. Figures are printed last, one `name: value unit` a line.

    .venv/bin/python bench/cases.py [--orders 1000000] [--cases 5000] [--clients 4] [--keep-seed]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from upsert import free_port, fresh_postgres, server_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/aftercare_bench_cases"
WARM = 50


# --- In the child process: policy, key, targets, query counts --------------------------------


def setup_and_count(cases: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aftercare.commerce.models import Order, OrderLine
    from aftercare.core.actors import Actor
    from aftercare.merchants.actions import create_api_key
    from aftercare.merchants.models import Merchant
    from aftercare.policies.actions import create_policy
    from aftercare.policies.presets import custom
    from aftercare.policies.spec import dump_spec, parse_spec
    from aftercare.returns.actions import LineRequest, create_case

    merchant = Merchant.objects.get(slug="demo")
    actor = Actor.system(merchant, label="bench")
    spec = dump_spec(custom())
    spec["default_outcome"] = "eligible"
    # Seeded orders are up to a year old and some SKUs carry their own 7-day window: the
    # rule opens the window so that every request takes the full (auto-approved) path.
    actions = [{"kind": "auto_approve"}, {"kind": "window_override_days", "days": 3650}]
    spec["rules"] = [{"name": "Approve everything", "actions": actions}]
    create_policy(actor=actor, name="bench", spec=parse_spec(spec))
    _, token = create_api_key(actor=actor, name="bench", scopes=["cases.read", "cases.write"])

    # Distinct orders (one case each), spread over the whole table, first line of each.
    total = Order.objects.filter(merchant=merchant).count()
    step = max(1, total // (cases + WARM + 10))
    order_ids = list(
        Order.objects.filter(merchant=merchant).order_by("pk").values_list("pk", flat=True)[::step]
    )
    first_lines: dict[int, list[int]] = {}
    for order_id, line_id in (
        OrderLine.objects.filter(order_id__in=order_ids).order_by("order_id", "line_no")
    ).values_list("order_id", "pk"):
        first_lines.setdefault(order_id, []).append(line_id)
    targets = [(oid, first_lines[oid]) for oid in order_ids if oid in first_lines]

    # One creation first, as a running server has had: a process reads a policy version's
    # spec (and compiles it) on the version's first use only; the counts are of the rest.
    order_id, line_ids = targets.pop()
    create_case(
        actor=actor,
        order_id=order_id,
        lines=[LineRequest(order_line_id=line_ids[0], quantity=1)],
        type="return_refund",
        reason="size",
    )
    counts = {}
    for size in (1, 3):
        order_id, line_ids = next((t for t in targets if len(t[1]) >= size), targets[0])
        targets = [t for t in targets if t[0] != order_id]
        with CaptureQueriesContext(connection) as captured:
            create_case(
                actor=actor,
                order_id=order_id,
                lines=[LineRequest(order_line_id=lid, quantity=1) for lid in line_ids[:size]],
                type="return_refund",
                reason="size",
            )
        counts[f"lines_{size}"] = len(captured)
    bodies = [
        {
            "order_id": order_id,
            "lines": [{"order_line_id": line_ids[0], "quantity": 1}],
            "type": "return_refund",
            "reason": "size",
            "description": "bench",
        }
        for order_id, line_ids in targets[: cases + WARM]
    ]
    out = Path(os.environ["BENCH_OUT"])
    out.write_text(json.dumps({"token": token, "queries": counts, "bodies": bodies}))


# --- In the parent: database, seed, server, HTTP load ----------------------------------------


def post_cases(base: str, token: str, bodies: list[dict[str, Any]], clients: int) -> float:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    warm, bodies = bodies[:WARM], bodies[WARM:]
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for body in warm:
            client.post("/api/v1/cases", json=body).raise_for_status()
    shares = [bodies[i::clients] for i in range(clients)]
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def run(share: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            barrier.wait()
            for body in share:
                response = client.post("/api/v1/cases", content=json.dumps(body))
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text[:300]}")

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    began, busy = time.perf_counter(), machine_busy_seconds()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    busy = machine_busy_seconds() - busy
    if failures:
        raise SystemExit(f"{len(failures)} creations failed, e.g. {failures[:2]}")
    CPU_PER_CREATION.append(busy / len(bodies) * 1000)
    return len(bodies) / elapsed


CPU_PER_CREATION: list[float] = []


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (server, PostgreSQL, clients, anything else):
    steadier than the rate when the machine is shared, since what else runs adds to it only."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:  # not Linux
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def migrate_and_seed(env: dict[str, str], orders: int) -> float:
    print("migrating a fresh PostgreSQL database", file=sys.stderr)
    subprocess.run([str(BIN / "aftercare"), "migrate", "-v", "0"], env=env, check=True)
    print(f"seeding {orders} demo orders", file=sys.stderr)
    began = time.perf_counter()
    subprocess.run(
        [str(BIN / "aftercare"), "seed-demo", "--orders", str(orders), "--no-progress"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seeded = time.perf_counter() - began
    # Planner statistics as autovacuum would have them in a running deployment: right
    # after a bulk load PostgreSQL has none and plans the order lookups badly.
    subprocess.run(
        [str(BIN / "aftercare"), "dbshell", "--", "-c", "VACUUM ANALYZE"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return seeded


def _admin_and_names(database_url: str, template_url: str) -> tuple[str, str, str]:
    parsed = urlparse(database_url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    return admin, parsed.path.lstrip("/"), urlparse(template_url).path.lstrip("/")


def save_seed(database_url: str, template_url: str) -> None:
    """Keep the seeded database as a template (--keep-seed): later runs clone it in seconds."""
    import psycopg

    admin, name, template = _admin_and_names(database_url, template_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')


def clone_seed(template_url: str, env: dict[str, str]) -> float | None:
    """The bench database as a copy of a kept seed, migrated; None when there is none."""
    import psycopg

    admin, name, template = _admin_and_names(env["DATABASE_URL"], template_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            return None
        print(f"cloning the kept seed {template}", file=sys.stderr)
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    subprocess.run([str(BIN / "aftercare"), "migrate", "-v", "0"], env=env, check=True)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="demo orders to seed")
    parser.add_argument("--cases", type=int, default=4000, help="cases to create over HTTP")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: CPUs)"
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument(
        "--pool", type=int, default=8, help="DATABASE_POOL_SIZE per server process (0: off)"
    )
    parser.add_argument(
        "--keep-seed",
        action="store_true",
        help="keep the seeded, analysed database as a template and clone it on later runs",
    )
    parser.add_argument(
        "--conn-max-age", type=int, default=0, help="DATABASE_CONN_MAX_AGE (needs --pool 0)"
    )
    parser.add_argument("--setup", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_and_count(args.setup)
        return

    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
            "DATABASE_URL": fresh_postgres(args.database_url),
            "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
            "DATABASE_POOL_SIZE": str(args.pool),
            "AFTERCARE_DATA_DIR": tmp,
            "BENCH_OUT": str(Path(tmp) / "setup.json"),
            # Measured as deployed: DEBUG off (no query log kept per request).
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + os.urandom(16).hex(),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        (Path(tmp) / "static").mkdir(parents=True, exist_ok=True)
        template = f"{env['DATABASE_URL']}_seed_{args.orders}" if args.keep_seed else ""
        seeded = clone_seed(template, env) if template else None
        if seeded is None:
            seeded = migrate_and_seed(env, args.orders)
            if template:
                save_seed(env["DATABASE_URL"], template)
        subprocess.run([sys.executable, __file__, "--setup", str(args.cases)], env=env, check=True)
        info = json.loads(Path(env["BENCH_OUT"]).read_text())
        if len(info["bodies"]) < args.cases + WARM:
            raise SystemExit("Not enough seeded orders for that many cases; raise --orders.")
        port = free_port()
        command = server_command(port)
        if "serve" in command:
            command += ["--workers", str(args.workers)]
        server = subprocess.Popen(command, env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, info["token"], server)
            print(f"{args.clients} clients creating {args.cases} cases", file=sys.stderr)
            rate = post_cases(base, info["token"], info["bodies"], args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(f"seeded_orders: {args.orders} orders")
    print(f"seed_time: {seeded:.1f} s" + (" (a kept seed, cloned)" if not seeded else ""))
    print(f"clients: {args.clients} clients")
    print(f"server_workers: {args.workers} processes")
    print(f"pool_size: {args.pool} connections")
    print(f"conn_max_age: {args.conn_max_age} s")
    print(f"queries_per_creation_1_line: {info['queries']['lines_1']} queries")
    print(f"queries_per_creation_3_lines: {info['queries']['lines_3']} queries")
    print(f"machine_cpu_per_creation: {CPU_PER_CREATION[0]:.1f} ms")
    print(f"case_creations_postgres: {rate:.1f} cases/s")


if __name__ == "__main__":
    main()
