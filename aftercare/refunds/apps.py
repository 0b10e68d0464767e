from django.apps import AppConfig


class RefundsConfig(AppConfig):
    name = "aftercare.refunds"
    label = "refunds"
    verbose_name = "Refunds and compensation"

    def ready(self) -> None:
        from aftercare.core.outbox import register_handler
        from aftercare.refunds.execution import TOPIC, deliver_execution

        register_handler(TOPIC, deliver_execution)
