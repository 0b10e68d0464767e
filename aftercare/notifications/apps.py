from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "aftercare.notifications"
    label = "notifications"
    verbose_name = "Notifications"
