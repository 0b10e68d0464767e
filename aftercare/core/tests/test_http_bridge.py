"""HTTP through uvicorn and core/http_bridge.py: a real server on loopback, real requests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django.contrib.admin
import httpx
import pytest
import uvicorn

from aftercare.core.actors import Actor
from aftercare.core.http_bridge import DjangoHttp, read_body, wsgi_environ
from aftercare.merchants.actions import add_member, create_api_key
from aftercare.merchants.models import Merchant

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def base_url() -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(DjangoHttp(), port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_an_api_call_with_a_json_body_and_a_key(base_url: str, merchant: Merchant) -> None:
    _, token = create_api_key(actor=Actor.system(merchant), name="t", scopes=["*"])
    headers = {"Authorization": f"Bearer {token}"}
    customer = {"external_id": "C-1", "name": "林小姐", "phone": "+8613800138000"}

    created = httpx.post(
        f"{base_url}/api/v1/customers", json={"records": [customer]}, headers=headers
    )
    found = httpx.get(
        f"{base_url}/api/v1/customers/lookup", params={"q": "138 0013 8000"}, headers=headers
    )
    refused = httpx.post(
        f"{base_url}/api/v1/customers",
        content=b"{not json",
        headers=headers | {"Content-Type": "application/json"},
    )

    assert created.status_code == 200, created.text
    assert found.status_code == 200, found.text
    assert found.json()["customer"]["name"] == "林小姐"
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_chunked_body_without_content_length_arrives_whole(
    base_url: str, merchant: Merchant
) -> None:
    _, token = create_api_key(actor=Actor.system(merchant), name="t", scopes=["*"])
    body = b'{"records": [{"external_id": "C-9", "name": "Chen", "phone": "+8613800138009"}]}'

    def chunks() -> Iterator[bytes]:
        yield body[:20]
        yield body[20:]

    response = httpx.post(
        f"{base_url}/api/v1/customers",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["external_id"] == "C-9"


def test_console_login_keeps_session_and_csrf_cookies(base_url: str, merchant: Merchant) -> None:
    add_member(merchant=merchant, username="mei", password="s3cret-pass-42", role="agent")
    with httpx.Client(base_url=base_url) as browser:
        form = browser.get("/login/")
        token = browser.cookies["csrftoken"]
        signed_in = browser.post(
            "/login/",
            data={"username": "mei", "password": "s3cret-pass-42", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base_url}/login/"},
        )

    assert form.status_code == 200
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert "sessionid" in signed_in.cookies


def test_a_static_file_streams_whole(base_url: str) -> None:
    css = Path(django.contrib.admin.__file__).parent / "static/admin/css/base.css"

    response = httpx.get(f"{base_url}/static/admin/css/base.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.content == css.read_bytes()


def test_a_missing_page_is_django_s_404(base_url: str) -> None:
    assert httpx.get(f"{base_url}/no/such/page/").status_code == 404


def test_the_environ_keeps_unicode_paths_repeated_headers_and_cookies() -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/portal/店/",
        "root_path": "",
        "query_string": b"q=%E6%9E%97",
        "headers": [
            (b"accept", b"text/html"),
            (b"accept", b"application/json"),
            (b"cookie", b"a=1"),
            (b"cookie", b"b=2"),
            (b"content-type", b"application/json"),
        ],
        "server": ("127.0.0.1", 8000),
        "client": ("10.0.0.9", 5555),
        "scheme": "https",
    }

    environ = wsgi_environ(scope, body=None)

    assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/portal/店/"
    assert environ["HTTP_ACCEPT"] == "text/html,application/json"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["REMOTE_ADDR"] == "10.0.0.9" and environ["wsgi.url_scheme"] == "https"


def test_a_body_in_several_chunks_arrives_whole_and_a_large_one_goes_to_disk(settings) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    chunks = [b"x" * 700, b"y" * 700, b"z"]

    async def receive_all() -> Any:
        messages = [
            {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
            for n, chunk in enumerate(chunks)
        ]

        async def receive() -> dict[str, Any]:
            return messages.pop(0)

        return await read_body(receive)

    body = asyncio.run(receive_all())

    assert body.read() == b"".join(chunks)
    assert body._rolled  # type: ignore[attr-defined]  # spooled to a temporary file
    body.close()
