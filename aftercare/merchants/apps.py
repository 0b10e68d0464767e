from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "aftercare.merchants"
    label = "merchants"
    verbose_name = "Merchants"
