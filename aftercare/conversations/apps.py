from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "aftercare.conversations"
    label = "conversations"
    verbose_name = "Conversations"
