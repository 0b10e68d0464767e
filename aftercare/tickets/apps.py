from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "aftercare.tickets"
    label = "tickets"
    verbose_name = "Tickets"
