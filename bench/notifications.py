"""Benchmark: notifications rendered and delivered per second by one worker process, to a
local SMTP server (aiosmtpd) and a local HTTP SMS gateway, with the worker killed (SIGKILL)
and restarted once during the run.

It makes a fresh database (SQLite in a temporary folder by default; --database-url for
PostgreSQL), migrates it, opens C cases through the returns actions and then appends N case
events to them (each becomes one SMS or one email, half the customers prefer email, plus an
in-portal notice). A worker subprocess then does what `aftercare worker` does for
notifications, without the task queue in between: it runs the case-event consumer (render,
queue: Notification + outbox rows in one transaction per batch) and delivers the due outbox
messages through core/outbox.py's batched claim/attempt/record (`deliver_due`). When a third
of the messages have reached the servers the parent kills it with SIGKILL and starts another.

A worker killed mid-send leaves its claim behind; production takes it over when the claim's
lease (10 minutes) has run out and the sweeper re-enqueues it. The restarted bench worker
shortens the lease to 2 seconds so the run does not wait ten minutes: that, and no task queue,
are the only differences from production.

Counted at the servers: `lost` is messages that should have arrived and never did;
`duplicates` is messages that arrived twice with different identities (the customer would see
two); `resent_same_id` is a message sent again by the restarted worker with the same
Idempotency-Key / Message-ID (a provider that deduplicates keeps one). Figures last.

    .venv/bin/python bench/notifications.py [--events 6000] [--cases 60]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = [
    "case.inspection_started",
    "case.received",
    "case.refund_point_reached",
    "case.inspection_failed",
]


def _django(data_dir: str, database_url: str) -> None:
    os.environ["AFTERCARE_DATA_DIR"] = data_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    # Measured as deployed: DEBUG off (DEBUG keeps and formats every SQL statement).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["OUTBOUND_ALLOW_PRIVATE"] = "1"  # the servers are on loopback
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftercare.settings"
    import logging

    import django

    django.setup()
    for noisy in ("mail.log", "httpx"):  # a line per message would cost more than the message
        logging.getLogger(noisy).setLevel(logging.WARNING)


# --- Worker process -------------------------------------------------------------------------


def work(smtp_port: int, short_lease: bool) -> None:
    from datetime import timedelta

    from django.conf import settings

    from aftercare.core import outbox
    from aftercare.core.tasks import worker_identity
    from aftercare.notifications.consumer import consume_case_events
    from aftercare.notifications.messages import DELIVER_TOPIC

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    if short_lease:
        outbox.CLAIM_LEASE = timedelta(seconds=2)  # stands in for the 10 minutes passing
    worker = worker_identity()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"ready": time.time(), "cpu": usage.ru_utime + usage.ru_stime}), flush=True)
    idle_since = None
    while True:
        read = consume_case_events(limit=200)
        delivered = 0
        for _ in range(4):  # as many messages as the consumer just queued
            outcomes = outbox.deliver_due(topic=DELIVER_TOPIC, worker_id=worker)
            delivered += list(outcomes.values()).count("succeeded")
        if read or delivered:
            idle_since = None
            continue
        idle_since = idle_since or time.time()
        if time.time() - idle_since > 4:  # longer than the short lease: nothing left
            break
        time.sleep(0.05)
    print(json.dumps({"done": time.time()}), flush=True)


# --- Parent ----------------------------------------------------------------------------------


def setup(cases: int, events: int, sms_url: str) -> int:
    from django.core.management import call_command
    from django.db import transaction

    from aftercare.core.actors import Actor
    from aftercare.core.testing import MerchantFactory, StoreFactory
    from aftercare.notifications.models import ContactPreference, NotificationSettings
    from aftercare.policies.tests.factories import delivered_order
    from aftercare.returns.models import CaseEvent
    from aftercare.returns.tests.helpers import install_policy, open_case

    call_command("migrate", verbosity=0)
    merchant = MerchantFactory(slug="bench-notify", name="Bench Shop", timezone="UTC")
    store = StoreFactory(merchant=merchant)
    install_policy(merchant, "custom")
    NotificationSettings.objects.create(
        merchant=merchant,
        enabled_channels=["sms", "email", "portal"],
        sms_provider="http",
        http_sms_url=sms_url,
        email_from="care@bench.test",
        quiet_start="00:00",
        quiet_end="00:00",  # no quiet hours: the run must not wait for a morning
    )
    actor = Actor.system(merchant, label="bench")
    opened = []
    for n in range(cases):
        order, lines = delivered_order(merchant, store)
        if n % 2:
            ContactPreference.objects.create(
                merchant=merchant, customer=order.customer, preferred_channel="email"
            )
        opened.append(open_case(actor, order, lines[:1]))
    with transaction.atomic():
        CaseEvent.objects.bulk_create(
            CaseEvent(
                merchant=merchant,
                case=opened[n % cases],
                kind=KINDS[n % len(KINDS)],
                data={"status": "inspecting", "reason": "bench"},
                actor_label="bench",
            )
            for n in range(events - cases)
        )
    return events  # each case's creation event plus the appended ones


def _start(database_url: str, data_dir: str, smtp_port: int, short_lease: bool) -> Any:
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--smtp-port",
        str(smtp_port),
        "--data-dir",
        data_dir,
        "--database-url",
        database_url,
    ]
    if short_lease:
        command.append("--short-lease")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout is not None
    ready = json.loads(child.stdout.readline())
    return child, ready["ready"], ready["cpu"]


def _arrived(smtp: Any, sms: Any) -> list[str]:
    return smtp.message_ids() + sms.keys()


def run(events: int, cases: int, database_url: str) -> dict[str, Any]:
    from aftercare.notifications.tests.servers import http_server, smtp_server

    with (
        tempfile.TemporaryDirectory() as data_dir,
        smtp_server() as (smtp, smtp_port),
        http_server("sms") as sms,
    ):
        _django(data_dir, database_url)
        print(f"setting up {cases} cases and {events} events ...", file=sys.stderr)
        expected = setup(cases, events, sms.url + "/send")
        first, started, first_setup = _start(database_url, data_dir, smtp_port, short_lease=False)
        while len(_arrived(smtp, sms)) < expected // 3:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.time()
        at_kill = len(_arrived(smtp, sms))
        second, restarted, second_setup = _start(
            database_url, data_dir, smtp_port, short_lease=True
        )
        assert second.stdout is not None
        done = json.loads(second.stdout.readline())["done"]
        second.wait()
        # The final idle wait and the restart's start-up are not delivery time.
        busy = (killed_at - started) + (done - 4 - restarted)
        arrived = _arrived(smtp, sms)
        # CPU time of both workers after their start-up (Django's setup, imports): on a
        # shared machine, wall time also measures the others.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime - first_setup - second_setup
        return {
            "expected": expected,
            "arrived": arrived,
            "busy": busy,
            "at_kill": at_kill,
            "cpu": cpu,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", default="", help=argparse.SUPPRESS)
    parser.add_argument("--short-lease", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _django(args.data_dir, args.database_url)
        work(args.smtp_port, args.short_lease)
        return
    result = run(args.events, args.cases, args.database_url)
    counts = Counter(result["arrived"])
    distinct = len(counts)
    resent = sum(n - 1 for n in counts.values() if n > 1)
    from aftercare.notifications.models import Notification

    # Each event must have exactly one direct message (SMS or email): more rows for one
    # event, or more identities at the servers than rows, would reach a customer twice.
    keys = list(Notification.objects.exclude(channel="portal").values_list("dedupe_key", flat=True))
    per_event = Counter(key.rsplit(":", 1)[0] for key in keys)
    duplicates = sum(n - 1 for n in per_event.values()) + max(0, distinct - len(keys))
    print(f"killed after: {result['at_kill']} messages", file=sys.stderr)
    print(f"messages: {distinct} messages")
    print(f"resent_same_id: {resent} messages")
    print(f"worker_cpu_per_message: {1000 * result['cpu'] / distinct:.2f} ms")
    print(f"notifications_per_second: {distinct / result['busy']:.0f} messages/s")
    print(f"duplicates: {duplicates}")
    print(f"lost: {result['expected'] - distinct}")


if __name__ == "__main__":
    main()
