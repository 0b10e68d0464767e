from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "aftercare.policies"
    label = "policies"
    verbose_name = "Return policies"
