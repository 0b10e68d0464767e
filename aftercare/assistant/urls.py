"""Console endpoints of the assistant, included by aftercare/urls.py at /assistant/."""

from django.urls import URLPattern, URLResolver, path

from aftercare.assistant import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "messages/<int:message_id>/correct/",
        views.correct_message,
        name="assistant_correct_message",
    ),
]
