"""Benchmark: refund executions per second through the signed webhook gateway, 4 worker
processes, with the ledger writes, on PostgreSQL.

It makes a fresh PostgreSQL database (--postgres: a bench database on the local server;
--database-url or DATABASE_URL: that one, dropped and made anew), migrates it, starts a refund
provider on loopback (the test suite's: it checks every signature and dedupes on the
Idempotency-Key), and grants N refunds through the project's own action (each writes its
execution, its 'requested' ledger row and its outbox message). Then 4 worker processes deliver
the outbox messages through core/outbox.py, BATCH_SIZE ids per claim
(`deliver_outbox_messages`); each message is given to --copies workers (default 2) at about
the same moment, like a task enqueued twice, so the claim must let exactly one of them
through. A duplicate is a second payment at the provider for one key or a second ledger
success for one execution; both are counted.
Figures are printed last, one `name: value unit` a line.

    .venv/bin/python bench/refunds.py --postgres [--executions 2000] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from upsert import fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/aftercare_bench_refunds"
PER_ORDER = 400  # 1.00 refunds per order: an order of 410.00 paid holds 400 of them


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # tasks go to the database queue; no worker runs them
    # Measured as deployed: DEBUG off (DEBUG keeps and formats every SQL statement).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["OUTBOUND_ALLOW_PRIVATE"] = "1"  # the provider is on loopback
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftercare.settings"
    import django

    django.setup()


# --- Worker process -------------------------------------------------------------------------


def work(index: int, workers: int, copies: int, ids_file: str, go_file: str) -> None:
    from django.db import connection

    from aftercare.core.outbox import BATCH_SIZE, deliver_outbox_messages
    from aftercare.core.tasks import worker_identity

    ids = json.loads(Path(ids_file).read_text())
    # Message j is delivered by workers j, j+1, ... (mod workers): `copies` deliveries each,
    # at about the same moment, as when a task is enqueued twice or the sweeper re-enqueues.
    mine = [m for j, m in enumerate(ids) if (index - j) % workers < copies]
    connection.ensure_connection()
    print("ready", flush=True)
    while not Path(go_file).exists():
        time.sleep(0.005)
    started = time.time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_at_start = usage.ru_utime + usage.ru_stime  # start-up is not delivery work
    outcomes: dict[str, int] = {}
    for at in range(0, len(mine), BATCH_SIZE):  # as the worker's batch task hands them out
        batch = deliver_outbox_messages(mine[at : at + BATCH_SIZE], worker_id=worker_identity())
        for outcome in batch.values():
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {"started": started, "ended": time.time(), "outcomes": outcomes}
    report["cpu"] = usage.ru_utime + usage.ru_stime - cpu_at_start
    print(json.dumps(report), flush=True)


# --- Parent ----------------------------------------------------------------------------------


def setup(executions: int, provider_url: str, secret: str) -> list[int]:
    from decimal import Decimal

    from django.core.management import call_command

    from aftercare.core.actors import Actor
    from aftercare.core.outbox_models import OutboxMessage
    from aftercare.core.testing import MerchantFactory, StoreFactory
    from aftercare.merchants.models import Merchant, Store
    from aftercare.policies.tests.factories import delivered_order
    from aftercare.refunds.actions import grant_refund
    from aftercare.refunds.models import RefundSettings

    call_command("migrate", verbosity=0)
    merchant: Merchant = MerchantFactory(slug="bench-refunds")
    store: Store = StoreFactory(merchant=merchant)
    RefundSettings.objects.create(
        merchant=merchant,
        gateway="webhook",
        webhook_url=f"{provider_url}/hook",
        webhook_secret=secret,
    )
    actor = Actor.system(merchant, label="bench")
    order = None
    for n in range(executions):
        if n % PER_ORDER == 0:
            order, _ = delivered_order(merchant, store)
        assert order is not None
        grant_refund(actor=actor, order_id=order.pk, kind="partial_refund", amount=Decimal("1.00"))
    return list(
        OutboxMessage.objects.filter(topic="refunds.execute")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def count_duplicates(provider: Any) -> dict[str, int]:
    from django.db.models import Count

    from aftercare.refunds.models import Execution, LedgerEntry

    keys = [post["key"] for post in provider.posts]
    ledger_twice = (
        LedgerEntry.objects.filter(kind="succeeded")
        .values("execution_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "posts": len(keys),
        "provider_duplicates": len(keys) - len(set(keys)),
        "ledger_duplicates": ledger_twice,
        "succeeded": Execution.objects.filter(status="succeeded").count(),
        "ledger_successes": LedgerEntry.objects.filter(kind="succeeded").count(),
    }


def run(database_url: str, executions: int, workers: int, copies: int) -> dict[str, Any]:
    _django(database_url)
    from aftercare.refunds.tests.servers import Provider, running_provider

    with (
        running_provider(Provider(secret="bench-secret")) as provider,
        tempfile.TemporaryDirectory() as tmp,
    ):
        print(f"setting up {executions} granted refunds ...", file=sys.stderr)
        ids = setup(executions, provider.url, provider.secret)
        ids_file, go_file = Path(tmp) / "ids.json", Path(tmp) / "go"
        ids_file.write_text(json.dumps(ids))
        env = {**os.environ}
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    str(i),
                    "--ids-file",
                    str(ids_file),
                    "--go-file",
                    str(go_file),
                    "--database-url",
                    database_url,
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for i in range(workers)
        ]
        for child in children:
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise SystemExit("a worker did not start; see its output above")
        go_file.write_text("go")
        reports = []
        for child in children:
            out, _ = child.communicate(timeout=1800)
            reports.append(json.loads(out.strip().splitlines()[-1]))
        elapsed = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
        outcomes: dict[str, int] = {}
        for report in reports:
            for name, value in report["outcomes"].items():
                outcomes[name] = outcomes.get(name, 0) + value
        cpu = sum(r["cpu"] for r in reports)
        return {"elapsed": elapsed, "outcomes": outcomes, "cpu": cpu, **count_duplicates(provider)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--copies", type=int, default=2, help="deliveries of each message, by different workers"
    )
    parser.add_argument("--postgres", action="store_true", help=f"use {DEFAULT_POSTGRES}")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--worker", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument("--ids-file", default="", help=argparse.SUPPRESS)
    parser.add_argument("--go-file", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker >= 0:
        _django(args.database_url)
        work(args.worker, args.workers, args.copies, args.ids_file, args.go_file)
        return
    url = DEFAULT_POSTGRES if args.postgres else args.database_url
    if not url.startswith("postgres"):
        raise SystemExit("Give --postgres, --database-url postgres://... or DATABASE_URL.")
    url = fresh_postgres(url)
    copies = max(1, min(args.copies, args.workers))
    result = run(url, args.executions, args.workers, copies)
    print(f"outcomes: {result['outcomes']}", file=sys.stderr)
    duplicates = result["provider_duplicates"] + result["ledger_duplicates"]
    print(f"executions: {result['succeeded']} executions")
    print(f"provider_requests: {result['posts']} requests")
    print(f"ledger_successes: {result['ledger_successes']} entries")
    print(f"workers: {args.workers} processes")
    print(f"deliveries_per_message: {copies} deliveries")
    # CPU of the worker processes only (not PostgreSQL's): on a shared machine, wall time
    # also measures the other jobs.
    print(f"worker_cpu_per_execution: {1000 * result['cpu'] / result['succeeded']:.2f} ms")
    print(
        f"refund_executions_per_second: {result['succeeded'] / result['elapsed']:.0f} executions/s"
    )
    print(f"duplicates: {duplicates}")


if __name__ == "__main__":
    main()
