"""WebSocket routes. Consumers stay thin: they join groups and relay broadcasts."""

from django.urls import path

from aftercare.conversations.consumers import ChatConsumer
from aftercare.realtime.consumers import MerchantFeedConsumer

websocket_urlpatterns = [
    path("ws/feed/", MerchantFeedConsumer.as_asgi()),
    # The web-chat widget (a chat token, no session): conversations/consumers.py.
    path("ws/chat/", ChatConsumer.as_asgi()),
]
