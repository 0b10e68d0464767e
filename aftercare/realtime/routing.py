"""WebSocket routes. Consumers stay thin: they join groups and relay broadcasts."""

from django.urls import path

from aftercare.realtime.consumers import MerchantFeedConsumer

websocket_urlpatterns = [
    path("ws/feed/", MerchantFeedConsumer.as_asgi()),
]
