from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "aftercare.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from aftercare.core.outbox import register_handler
        from aftercare.notifications.delivery import deliver_message, prepare_messages
        from aftercare.notifications.messages import DELIVER_TOPIC
        from aftercare.notifications.webhooks import TOPIC as WEBHOOK_TOPIC
        from aftercare.notifications.webhooks import deliver_webhook

        register_handler(DELIVER_TOPIC, deliver_message, prepare=prepare_messages)
        register_handler(WEBHOOK_TOPIC, deliver_webhook)
        # Every worker's sweep (at start, then every 5 min) restarts the consumers' periodic
        # chain if it stopped.
        from aftercare.core.sweeper import register_sweep
        from aftercare.notifications.tasks import ensure_scheduled

        register_sweep(ensure_scheduled)
