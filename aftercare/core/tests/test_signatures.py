"""Signed webhooks: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from aftercare.core.errors import InvalidSignature
from aftercare.core.inbox import sign, verify_signature

SECRET = "whsec_test"
BODY = b'{"event":"order.paid"}'
NOW = 1_800_000_000


def test_header_format_is_documented_hmac_of_timestamp_dot_body() -> None:
    header = sign(SECRET, BODY, NOW)

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_a_fresh_correct_signature_is_accepted() -> None:
    header = sign(SECRET, BODY, NOW)
    assert verify_signature(SECRET, BODY, header, now=NOW + 10) == NOW


def test_any_of_several_signatures_may_match_during_secret_rotation() -> None:
    old = sign("old-secret", BODY, NOW).split(",")[1]
    header = f"{sign(SECRET, BODY, NOW)},{old}"
    assert verify_signature("old-secret", BODY, header, now=NOW) == NOW


@pytest.mark.parametrize(
    ("secret", "body", "header", "why"),
    [
        ("other", BODY, sign(SECRET, BODY, NOW), "does not match"),
        (SECRET, BODY + b" ", sign(SECRET, BODY, NOW), "does not match"),
        (SECRET, BODY, None, "missing"),
        (SECRET, BODY, "v1=abc", "must look like"),
        (SECRET, BODY, f"t={NOW}", "must look like"),
        (SECRET, BODY, f"t=yesterday,v1={'0' * 64}", "must look like"),
    ],
)
def test_wrong_or_malformed_signatures_are_refused(secret, body, header, why) -> None:
    with pytest.raises(InvalidSignature, match=why):
        verify_signature(secret, body, header, now=NOW)


def test_an_old_signature_cannot_be_replayed() -> None:
    header = sign(SECRET, BODY, NOW)

    with pytest.raises(InvalidSignature, match="300 seconds"):
        verify_signature(SECRET, BODY, header, now=NOW + 301)
    with pytest.raises(InvalidSignature):
        verify_signature(SECRET, BODY, header, now=NOW - 301)  # from the future, too


def test_changing_the_timestamp_breaks_the_signature() -> None:
    _, signature = sign(SECRET, BODY, NOW).split(",")
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signature(SECRET, BODY, f"t={NOW + 200},{signature}", now=NOW + 200)
