"""The outbound HTTP client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from aftercare.core.errors import AddressRefused, ExternalServiceError
from aftercare.core.http import USER_AGENT, checked_address, is_public, post_json, request


@dataclass
class Recorded:
    requests: list[dict] = field(default_factory=list)


def _handler_class(recorded: Recorded) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            recorded.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
            if self.path == "/slow":
                time.sleep(1.5)
            status = {"/fail": 500, "/bad": 400, "/busy": 429, "/moved": 302}.get(self.path, 200)
            payload = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if status == 302:
                self.send_header("Location", "http://169.254.169.254/")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client gave up on /slow before the answer: expected, not worth a traceback


@dataclass
class Server:
    base: str
    recorded: Recorded


@pytest.fixture
def server() -> Iterator[Server]:
    recorded = Recorded()
    httpd = QuietServer(("127.0.0.1", 0), _handler_class(recorded))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(base=f"http://127.0.0.1:{httpd.server_address[1]}", recorded=recorded)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_private(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True


def test_post_json_sends_json_with_user_agent_and_returns_the_response(
    server: Server, allow_private
) -> None:
    response = post_json(f"{server.base}/ok", json={"a": 1}, headers={"X-Trace": "t1"})

    assert response.status_code == 200 and response.json() == {"status": 200}
    [sent] = server.recorded.requests
    assert json.loads(sent["body"]) == {"a": 1}
    assert sent["headers"]["User-Agent"] == USER_AGENT
    assert sent["headers"]["X-Trace"] == "t1"
    assert sent["headers"]["Host"] == server.base.removeprefix("http://")


@pytest.mark.parametrize(
    ("path", "permanent", "status"),
    [("/fail", False, 500), ("/busy", False, 429), ("/bad", True, 400), ("/moved", True, 302)],
)
def test_error_statuses_say_whether_to_retry(
    server: Server, allow_private, path: str, permanent: bool, status: int
) -> None:
    with pytest.raises(ExternalServiceError) as caught:
        post_json(server.base + path, json={})

    assert caught.value.permanent is permanent
    assert caught.value.extra["upstream_status"] == status
    assert len(server.recorded.requests) == 1  # a redirect is not followed


def test_a_slow_server_times_out_as_a_temporary_failure(server: Server, allow_private) -> None:
    started = time.monotonic()

    with pytest.raises(ExternalServiceError, match="timed out") as caught:
        post_json(f"{server.base}/slow", json={}, timeout=0.3)

    assert caught.value.permanent is False
    assert time.monotonic() - started < 1.5


def test_default_timeout_comes_from_settings(server: Server, allow_private, settings) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 1
    with pytest.raises(ExternalServiceError, match="timed out after 1 s"):
        post_json(f"{server.base}/slow", json={})


def test_connection_refused_is_temporary(allow_private) -> None:
    with pytest.raises(ExternalServiceError, match="could not connect") as caught:
        request("GET", "http://127.0.0.1:9/")  # the discard port: nothing listens
    assert caught.value.permanent is False


def test_loopback_is_refused_without_any_request_when_private_is_off(
    server: Server, settings
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False

    with pytest.raises(AddressRefused) as caught:
        post_json(f"{server.base}/ok", json={})

    assert caught.value.permanent is True
    assert "OUTBOUND_ALLOW_PRIVATE" in caught.value.detail
    assert server.recorded.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
    ],
)
def test_private_and_reserved_destinations_are_refused(settings, url: str) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(AddressRefused):
        checked_address(httpx.URL(url))


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.com/file", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("https://user:secret@example.com/", "user name or password"),
    ],
)
def test_bad_schemes_and_credentials_are_refused_even_when_private_is_allowed(
    allow_private, url: str, why: str
) -> None:
    with pytest.raises(AddressRefused, match=why):
        checked_address(httpx.URL(url))


def test_public_addresses_pass_the_check(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    assert str(checked_address(httpx.URL("https://8.8.8.8/"))) == "8.8.8.8"
    assert is_public(ipaddress.ip_address("2001:4860:4860::8888"))
    assert not is_public(ipaddress.ip_address("::ffff:10.0.0.1"))
