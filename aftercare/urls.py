from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from aftercare.api import api
from aftercare.core.views import healthz

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("refunds/", include("aftercare.refunds.urls")),
    path("notifications/", include("aftercare.notifications.urls")),
    path("desk/", include("aftercare.conversations.urls")),
    path("tickets/", include("aftercare.tickets.urls")),
    path("assistant/", include("aftercare.assistant.urls")),
    path("", include("aftercare.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
