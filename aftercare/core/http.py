"""The one outbound HTTP client. Every call to an outside system goes through `request()`.

It gives every call a timeout and a User-Agent, and refuses to reach private, loopback,
link-local and reserved addresses (SSRF: a merchant-supplied webhook URL must not be able to
reach the database, the cloud metadata service or an admin port on the app server) unless
OUTBOUND_ALLOW_PRIVATE is on. The host is resolved once, every address is checked, and the
request is sent to the checked address (Host header and TLS name stay the original host), so a
DNS answer that changes between check and connect cannot slip a private address through.

Failures raise ExternalServiceError whose `permanent` tells the outbox whether to retry:
timeouts, connection errors, 5xx, 408 and 429 are temporary; other 4xx, redirects and
refused addresses are permanent. Redirects are not followed (one could point inside).
Proxy variables from the environment are ignored for the same reason.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from importlib import metadata
from typing import Any

import httpx
from django.conf import settings

from aftercare.core.errors import AddressRefused, ExternalServiceError

ALLOWED_SCHEMES = frozenset({"http", "https"})
RETRYABLE_STATUSES = frozenset({408, 425, 429})
BODY_SNIPPET = 500

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _user_agent() -> str:
    try:
        version = metadata.version("aftercare")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"Aftercare/{version} (self-hosted after-sales desk)"


USER_AGENT = _user_agent()

# Loading the CA bundle takes tens of milliseconds: build the TLS context once per process
# instead of once per call (it is only read after creation, so sharing it is safe).
_TLS_CONTEXT: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _TLS_CONTEXT
    if _TLS_CONTEXT is None:
        _TLS_CONTEXT = httpx.create_ssl_context()
    return _TLS_CONTEXT


def post_json(
    url: str,
    *,
    json: Any,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> httpx.Response:
    return request("POST", url, json=json, headers=headers, timeout=timeout)


def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    content: bytes | None = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> httpx.Response:
    """Send one request and return the 2xx response, or raise ExternalServiceError."""
    target = httpx.URL(url)
    address = checked_address(target)
    pinned = target.copy_with(host=str(address))
    all_headers = {"User-Agent": USER_AGENT, **(headers or {}), "Host": _host_header(target)}
    seconds = timeout if timeout is not None else settings.OUTBOUND_TIMEOUT_SECONDS
    try:
        with httpx.Client(
            timeout=seconds, follow_redirects=False, trust_env=False, verify=_tls_context()
        ) as client:
            response = client.request(
                method,
                pinned,
                json=json,
                content=content,
                params=params,
                headers=all_headers,
                extensions={"sni_hostname": target.host},
            )
    except httpx.TimeoutException as error:
        raise _failure(target, f"timed out after {seconds} s ({type(error).__name__})") from None
    except httpx.HTTPError as error:
        raise _failure(target, f"could not connect: {error}") from None
    return _checked_response(target, response)


def _host_header(url: httpx.URL) -> str:
    host = f"[{url.host}]" if ":" in url.host else url.host
    return host if url.port is None else f"{host}:{url.port}"


def _failure(
    url: httpx.URL, why: str, *, permanent: bool = False, status: int | None = None
) -> ExternalServiceError:
    extra: dict[str, Any] = {"host": url.host}
    if status is not None:
        extra["upstream_status"] = status
    return ExternalServiceError(f"{url.host}: {why}", permanent=permanent, extra=extra)


def _checked_response(url: httpx.URL, response: httpx.Response) -> httpx.Response:
    status = response.status_code
    if 200 <= status < 300:
        return response
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        raise _failure(
            url, f"answered {status} redirect to {where!r}", permanent=True, status=status
        )
    permanent = status < 500 and status not in RETRYABLE_STATUSES
    why = f"answered {status}: {response.text[:BODY_SNIPPET]}"
    raise _failure(url, why, permanent=permanent, status=status)


# --- Destination checks ------------------------------------------------------------------


def checked_address(url: httpx.URL) -> IPAddress:
    """The address to connect to, after refusing anything we must not call."""
    if url.scheme not in ALLOWED_SCHEMES:
        raise AddressRefused(f"Only http and https URLs may be called, not {url.scheme!r}.")
    if url.userinfo:
        raise AddressRefused("URLs with a user name or password in them are refused.")
    if not url.host:
        raise AddressRefused("The URL has no host.")
    addresses = resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
    if not settings.OUTBOUND_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(
                    f"{url.host} resolves to {address}, a private, loopback or reserved "
                    "address (set OUTBOUND_ALLOW_PRIVATE=1 to allow it)."
                )
    return addresses[0]


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        # DNS failures are often passing; let the outbox retry.
        raise ExternalServiceError(
            f"{host}: cannot resolve ({error})", permanent=False, extra={"host": host}
        ) from None
    # Scope ids ("fe80::1%eth0") are cut off: they only occur on link-local addresses.
    found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(found))


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast only; IPv4 written inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast
