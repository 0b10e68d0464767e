"""Real servers on loopback for provider tests and the benchmark: an SMTP server (aiosmtpd),
an HTTP SMS sink that honours Idempotency-Key, and a Twilio Messages API look-alike."""

from __future__ import annotations

import base64
import email
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


@dataclass
class SmtpSink:
    messages: list[email.message.Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


def free_port() -> int:
    # aiosmtpd's controller checks readiness by connecting to the port it was given.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@dataclass
class HttpSink:
    """Records every request; answers with `status` (a list is consumed one per request)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200

    def keys(self) -> list[str]:
        with self.lock:
            return [r["headers"].get("Idempotency-Key", "") for r in self.requests]


def _handler(sink: HttpSink, respond: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            record = {"path": self.path, "headers": dict(self.headers), "body": body}
            with sink.lock:
                sink.requests.append(record)
            status, payload = respond(sink, record)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _sms_answer(sink: HttpSink, record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status = sink.next_status()
    if status >= 400:
        return status, {"error": "refused", "status": status}
    return status, {"id": f"gw-{len(sink.requests)}", **sink.answer}


def _twilio_answer(sink: HttpSink, record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status = sink.next_status()
    form = {k: v[0] for k, v in parse_qs(record["body"].decode()).items()}
    record["form"] = form
    auth = record["headers"].get("Authorization", "")
    record["basic"] = base64.b64decode(auth.split(" ", 1)[1]).decode() if " " in auth else ""
    if status >= 400:
        return status, {
            "code": 21211,
            "message": f"The 'To' number {form.get('To')} is not valid.",
            "status": status,
        }
    sid = f"SM{len(sink.requests):032d}"
    return 201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")}


@contextmanager
def http_server(kind: str = "sms") -> Iterator[HttpSink]:
    sink = HttpSink()
    respond = _twilio_answer if kind == "twilio" else _sms_answer
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sink, respond))
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
