"""A refund provider on loopback for tests and the benchmark: speaks our webhook format
(POST /hook) and Stripe's refunds format (POST /v1/refunds, GET /v1/refunds/{id}).

Like the real thing it dedupes on the Idempotency-Key: a repeated key returns the refund made
the first time, so `refunds` counts money really moved and `posts` every request received.
Behaviour is set per test: `fail_next` answers N requests with 503, `reject` answers 400 with
a provider message, `sleep` delays every answer, `status` is the new refund's status.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aftercare.core.inbox import SIGNATURE_HEADER, verify_signature


@dataclass
class Provider:
    secret: str = "whsec-test"
    status: str = "succeeded"
    fail_next: int = 0
    reject: str = ""
    sleep: float = 0.0
    posts: list[dict[str, Any]] = field(default_factory=list)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> refund
    bad_signatures: int = 0
    arrivals: int = 0  # requests received, counted before any sleep
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, path: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.posts.append({"path": path, "key": key, "body": body})
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"error": {"type": "api_error", "message": "try later"}}
            if self.reject:
                return 400, {"error": {"type": "invalid_request_error", "message": self.reject}}
            if key not in self.refunds:
                number = len(self.refunds) + 1
                self.refunds[key] = {
                    "id": f"re_{number:06d}",
                    "object": "refund",
                    "amount": body.get("amount"),
                    "status": self.status,
                    "reference": f"wh_{number:06d}",
                }
            return 200, dict(self.refunds[key])

    def lookup(self, refund_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            for refund in self.refunds.values():
                if refund["id"] == refund_id:
                    refund["status"] = self.status
                    return 200, dict(refund)
        return 404, {"error": {"type": "invalid_request_error", "message": "No such refund"}}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            # The refund is made before the pause: a caller killed while waiting has paid.
            if provider.sleep:
                time.sleep(provider.sleep)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            provider.arrivals += 1
            key = self.headers.get("Idempotency-Key", "")
            if self.path == "/hook":
                try:
                    verify_signature(provider.secret, raw, self.headers.get(SIGNATURE_HEADER))
                except Exception:
                    provider.bad_signatures += 1
                    self._send(401, {"error": {"message": "bad signature"}})
                    return
                status, body = provider.answer("/hook", key, json.loads(raw))
                if status == 200:
                    body = {"status": body["status"], "reference": body["reference"]}
                self._send(status, body)
                return
            if self.path == "/v1/refunds":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if self.headers.get("Authorization") != "Bearer sk_test_123":
                    self._send(401, {"error": {"type": "invalid_request_error", "message": "key"}})
                    return
                self._send(*provider.answer("/v1/refunds", key, form))
                return
            self._send(404, {"error": {"message": "no such path"}})

        def do_GET(self) -> None:
            if self.path.startswith("/v1/refunds/"):
                self._send(*provider.lookup(self.path.rsplit("/", 1)[1]))
                return
            self._send(404, {"error": {"message": "no such path"}})

    return Handler


@contextmanager
def running_provider(provider: Provider | None = None) -> Iterator[Provider]:
    provider = provider or Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
