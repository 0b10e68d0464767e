from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "aftercare.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from aftercare.conversations import marketplace, sending
        from aftercare.core.outbox import register_handler

        register_handler("conversations.email.send", sending.send_email_reply)
        register_handler("conversations.sms.send", sending.send_sms_reply)
        register_handler("conversations.marketplace.send", marketplace.send_marketplace_reply)
