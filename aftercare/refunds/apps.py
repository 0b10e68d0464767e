from django.apps import AppConfig


class RefundsConfig(AppConfig):
    name = "aftercare.refunds"
    label = "refunds"
    verbose_name = "Refunds and compensation"
