from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "aftercare.commerce"
    label = "commerce"
    verbose_name = "Commerce"
