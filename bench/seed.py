"""Benchmark: seed a demo store of 1,000,000 orders into a fresh database and time it.

    .venv/bin/python bench/seed.py [--orders N] [--seed S] [--database-url postgres://...]

SQLite by default, in a temporary directory that is removed afterwards. With --database-url
the PostgreSQL database is dropped and created again first, so point it at a scratch database.
Figures are printed last, one `name: value unit` per line.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="A scratch PostgreSQL database.")
    return parser.parse_args()


def recreate_postgres(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def configure(data_dir: str, database_url: str) -> None:
    os.environ["AFTERCARE_DATA_DIR"] = data_dir
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("REDIS_URL", None)  # the seed writes no tasks; keep the run self-contained
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftercare.settings"
    import django

    django.setup()


def run(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import connection

    from aftercare.commerce.seeding import seed_demo_store

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    summary = seed_demo_store(orders=args.orders, seed=args.seed)
    seconds = time.monotonic() - started
    figures = [
        ("seed_database", connection.vendor, ""),
        ("seed_orders", str(summary.orders), "orders"),
        ("seed_lines", str(summary.lines), "lines"),
        ("seed_customers", str(summary.customers), "customers"),
        ("seed_seconds", f"{seconds:.1f}", "s"),
        ("seed_orders_per_second", f"{summary.orders / seconds:.0f}", "orders/s"),
        ("seed_rows_total", str(summary.rows_total), "rows"),
        ("seed_rows_per_second", f"{summary.rows_total / seconds:.0f}", "rows/s"),
    ]
    if connection.vendor == "sqlite":
        size = sum(path.stat().st_size for path in Path(os.environ["AFTERCARE_DATA_DIR"]).glob("*"))
        figures.append(("seed_database_bytes", str(size), "bytes"))
    return figures


def main() -> None:
    args = parse_args()
    if args.database_url:
        recreate_postgres(args.database_url)
    with tempfile.TemporaryDirectory(prefix="aftercare-bench-seed-") as data_dir:
        configure(data_dir, args.database_url)
        figures = run(args)
    print(f"orders={args.orders} seed={args.seed} machine={os.cpu_count()} cpus", flush=True)
    for name, value, unit in figures:
        print(f"{name}: {value} {unit}".rstrip())


if __name__ == "__main__":
    main()
