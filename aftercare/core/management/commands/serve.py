"""`aftercare serve`: the web app, the API and WebSockets through uvicorn on one port.

Static files come through whitenoise inside the app, so no separate web server is needed;
behind a reverse proxy, trust its X-Forwarded-* headers with --forwarded-allow-ips.
"""

from __future__ import annotations

import signal
from argparse import BooleanOptionalAction
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

ASGI_APP = "aftercare.asgi:application"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ReturningServer(uvicorn.Server):
    """uvicorn's Server, except that a stop signal makes `run()` return after the graceful
    shutdown. uvicorn raises the signal again at that point, which would kill the process
    before `aftercare demo` stops its worker and turn a clean stop into a failed exit."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run_server(
    *,
    host: str,
    port: int,
    workers: int = 1,
    proxy_headers: bool = True,
    forwarded_allow_ips: str | None = None,
    log_level: str | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, finish open requests, then return."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": forwarded_allow_ips,
        # Django's ASGI handler does not speak the lifespan protocol; saying so up front
        # avoids a confusing startup message.
        "lifespan": "off",
        "log_level": (log_level or settings.LOG_LEVEL).lower(),
    }
    if workers > 1:
        uvicorn.run(ASGI_APP, **options)  # its supervisor owns the signals and the processes
        return
    ReturningServer(uvicorn.Config(ASGI_APP, **options)).run()


class Command(BaseCommand):
    help = "Serve Aftercare (HTTP, WebSocket, static files) with uvicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to bind (default: %(default)s)."
        )
        parser.add_argument("--port", type=int, default=None, help="Port (default: PORT, 8000).")
        parser.add_argument(
            "--workers", type=int, default=1, help="Server processes (default: %(default)s)."
        )
        parser.add_argument(
            "--proxy-headers",
            action=BooleanOptionalAction,
            default=True,
            help="Read client address and scheme from X-Forwarded-* set by a trusted proxy.",
        )
        parser.add_argument(
            "--forwarded-allow-ips",
            default=None,
            help="Proxies trusted for X-Forwarded-* (comma-separated, '*' for any; "
            "default: FORWARDED_ALLOW_IPS or 127.0.0.1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        run_server(
            host=options["host"],
            port=options["port"] or settings.PORT,
            workers=options["workers"],
            proxy_headers=options["proxy_headers"],
            forwarded_allow_ips=options["forwarded_allow_ips"],
        )
