from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "aftercare.returns"
    label = "returns"
    verbose_name = "After-sales cases"
