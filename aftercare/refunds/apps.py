from django.apps import AppConfig


class RefundsConfig(AppConfig):
    name = "aftercare.refunds"
    label = "refunds"
    verbose_name = "Refunds and compensation"

    def ready(self) -> None:
        from aftercare.core.outbox import register_handler
        from aftercare.core.sweeper import register_sweep
        from aftercare.refunds.execution import (
            TOPIC,
            deliver_execution,
            prepare_executions,
            reconcile,
        )

        register_handler(TOPIC, deliver_execution, prepare=prepare_executions)
        # F2's periodic re-check of executions stuck in "requested", at every sweep of every
        # worker (reconciling one twice is harmless: an answered execution is left alone).
        register_sweep(reconcile)
