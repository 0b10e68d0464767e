"""ASGI entry point: HTTP through Django's handler in one thread hop (core/http_bridge.py,
ADR 0070), WebSocket through Channels' router."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from aftercare.core.http_bridge import DjangoHttp  # noqa: E402
from aftercare.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": DjangoHttp(),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Import every view and the API now instead of on the first request, then take everything
# loaded so far out of the collector's sight: otherwise a full collection walks ~150,000
# long-lived objects and stalls whichever request triggered it for ~100 ms (the p99 of
# bench/lookup.py). Forked workers also keep these pages shared.
get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
