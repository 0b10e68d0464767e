from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "aftercare.web"
    label = "web"
    verbose_name = "Web shell"
