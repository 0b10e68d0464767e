"""Console pages of tickets, included by aftercare/urls.py at /tickets/."""

from django.urls import URLPattern, URLResolver, path

from aftercare.tickets import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="ticket_queue"),
    path("rows/", views.queue_rows, name="ticket_queue_rows"),
    path("feed/", views.feed, name="ticket_feed"),
    path("supervisor/", views.supervisor, name="ticket_supervisor"),
    path("presence/", views.set_presence, name="ticket_presence"),
    path("<int:ticket_id>/", views.detail, name="ticket_detail"),
    path("<int:ticket_id>/<slug:action>/", views.act, name="ticket_action"),
]
