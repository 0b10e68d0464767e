"""F2: a worker killed between claiming an execution and hearing the gateway's answer. The
provider made the refund; after the lease runs out another worker retries with the same
idempotency key, the provider answers with the refund it already made, and the ledger shows
one payment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.outbox import CLAIM_LEASE, deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage
from aftercare.core.testing import MerchantFactory, StoreFactory
from aftercare.policies.tests.factories import delivered_order
from aftercare.refunds.actions import grant_refund
from aftercare.refunds.models import Execution, LedgerEntry
from aftercare.refunds.tests.conftest import use_gateway

WORKER = """
import sys
import django
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
django.setup()
from aftercare.core.outbox import deliver_outbox_message
print(deliver_outbox_message(int(sys.argv[2]), worker_id="doomed"), flush=True)
"""


def _wait_for(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_retried_with_the_same_key_and_pays_once(
    transactional_db: None,
    provider,  # type: ignore[no-untyped-def]
) -> None:
    merchant = MerchantFactory(slug="crash")
    order, _ = delivered_order(merchant, StoreFactory(merchant=merchant))
    use_gateway(merchant, provider, "stripe")
    grant = grant_refund(
        actor=Actor.system(merchant),
        order_id=order.pk,
        kind="partial_refund",
        amount=Decimal("42.50"),
    )
    message = OutboxMessage.objects.get(topic="refunds.execute")
    provider.sleep = 60  # answers only after the worker is dead
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aftercare.test_settings"}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(connection.settings_dict["NAME"]), str(message.pk)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(lambda: provider.arrivals == 1), (
            worker.stderr.read() if worker.poll() else ""
        )
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(30)

    message.refresh_from_db()
    assert message.status == "claimed" and message.claimed_by == "doomed"
    assert not LedgerEntry.objects.filter(kind="succeeded").exists()
    # Restart: a new worker finds the claim's lease run out (time passes, the sweeper re-enqueues).
    provider.sleep = 0
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=1)
    )

    assert deliver_outbox_message(message.pk, worker_id="restarted") == "succeeded"

    execution = Execution.objects.get(grant=grant)
    keys = [post["key"] for post in provider.posts]
    assert keys == [execution.idempotency_key, execution.idempotency_key]
    assert len(provider.refunds) == 1  # the provider paid once
    assert provider.posts[0]["body"]["amount"] == "4250"  # minor units
    assert execution.status == "succeeded" and execution.reference == "re_000001"
    assert LedgerEntry.objects.filter(execution=execution, kind="succeeded").count() == 1
