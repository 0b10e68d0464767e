from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "aftercare.assistant"
    label = "assistant"
    verbose_name = "Assistant"
