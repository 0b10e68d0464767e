"""Console pages of notifications, included by aftercare/urls.py at /notifications/."""

from django.urls import URLPattern, URLResolver, path

from aftercare.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.failed_queue, name="failed"),
    path("<int:notification_id>/resend/", views.resend, name="resend"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/add/", views.webhook_create, name="webhook_create"),
    path("webhooks/<int:subscription_id>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:subscription_id>/active/", views.webhook_toggle, name="webhook_toggle"),
    path("survey/<str:signed>/", views.survey_page, name="survey"),
    path("callbacks/twilio/<int:merchant_id>/status/", views.twilio_status, name="twilio_status"),
    path("callbacks/sms/<int:merchant_id>/status/", views.sms_gateway_status, name="sms_status"),
]
