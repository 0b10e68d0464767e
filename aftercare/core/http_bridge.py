"""HTTP requests under uvicorn, handled by Django's WSGI handler in one thread hop (ADR 0070).

Every view of ours is synchronous. Django's ASGI handler runs such a request through several
hops between the event loop and threads (the request_started signal, WhiteNoise's sync-only
middleware and back, the view, the response's close): about 3 ms of CPU per request on this
machine, more than some of our endpoints cost in all. Here the body is read on the event loop,
then the whole request (signals, middleware, view, response) runs in one worker thread through
`WSGIHandler`, exactly as under a WSGI server, and the finished response is sent from the loop.

A streaming response (a static file, an export) keeps its thread while it streams, because its
iterator may hold a database cursor of that thread's connection; each chunk is handed to the
loop and sent before the next is read. WebSockets stay with Channels (asgi.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Coroutine[Any, Any, None]]

# As many threads as Django's ASGI handler would use here; a request waits for a free one.
DEFAULT_THREADS = min(32, (os.cpu_count() or 1) + 4)


class Disconnected(Exception):
    """The client went away before its request body arrived."""


class DjangoHttp:
    """An ASGI app for the "http" scope type that runs Django's WSGI handler in threads."""

    def __init__(self, handler: WSGIHandler | None = None, threads: int = DEFAULT_THREADS):
        self.handler = handler or WSGIHandler()
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http", scope["type"]
        try:
            body = await read_body(receive)
        except Disconnected:
            return
        loop = asyncio.get_running_loop()
        run = contextvars.copy_context().run
        try:
            reply = await loop.run_in_executor(
                self.executor, run, self.respond, wsgi_environ(scope, body), send, loop
            )
        finally:
            body.close()
        if reply is not None:
            await _send_whole(send, *reply)

    def respond(
        self, environ: dict[str, Any], send: Send, loop: asyncio.AbstractEventLoop
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """In a worker thread: the whole response, or None once a streaming one was sent."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            started[:] = [int(status.split(" ", 1)[0]), _encode_headers(headers)]
            return _no_write

        response = self.handler(environ, start_response)
        try:
            if not getattr(response, "streaming", False):
                return started[0], started[1], b"".join(response)
            _stream(response, started, send, loop)
            return None
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()  # request_finished: the thread's database connection is released here


def _stream(
    chunks: Iterable[bytes], started: list[Any], send: Send, loop: asyncio.AbstractEventLoop
) -> None:
    def deliver(message: Message) -> None:
        asyncio.run_coroutine_threadsafe(send(message), loop).result()

    deliver({"type": "http.response.start", "status": started[0], "headers": started[1]})
    for chunk in chunks:
        if chunk:
            deliver({"type": "http.response.body", "body": bytes(chunk), "more_body": True})
    deliver({"type": "http.response.body", "body": b""})


async def _send_whole(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes):
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _no_write(data: bytes) -> None:
    raise RuntimeError("Django does not use the WSGI write() callable")


def _encode_headers(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


async def read_body(receive: Receive) -> BinaryIO:
    """The request body, in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, on disk beyond."""
    # Closed by the caller once the response is out, as Django's ASGI handler does.
    body: BinaryIO = tempfile.SpooledTemporaryFile(  # type: ignore[assignment]  # noqa: SIM115
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b"
    )
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            body.close()
            raise Disconnected
        body.write(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body.seek(0)
    return body


def wsgi_environ(scope: Message, body: BinaryIO | None) -> dict[str, Any]:
    """PEP 3333's environ for an ASGI HTTP scope."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    script_name = scope.get("root_path", "")
    path = scope["path"]
    if script_name and path.startswith(script_name):
        path = path[len(script_name) :]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]) if server[1] is not None else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body is not None:
        # A chunked upload has no Content-Length, and Django's WSGIRequest reads exactly
        # CONTENT_LENGTH bytes of wsgi.input: give it the size of the body as received.
        environ["CONTENT_LENGTH"] = str(_size(body))
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name == "CONTENT_LENGTH":
            continue  # the body's real size (above) is what Django may read
        if name != "CONTENT_TYPE":
            name = f"HTTP_{name}"
        if name in environ:  # a repeated header; cookies have their own separator
            value = f"{environ[name]}{'; ' if name == 'HTTP_COOKIE' else ','}{value}"
        environ[name] = value
    return environ


def _size(body: BinaryIO) -> int:
    body.seek(0, os.SEEK_END)
    size = body.tell()
    body.seek(0)
    return size
