"""Phone numbers in E.164, read the way customers type them ("138 1234 5678", "+852 9123-4567")."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str, *, region: str = "CN") -> str:
    """Normalise `raw` to E.164, reading numbers without +country in `region`.

    Raises InvalidPhone with a sentence a person can act on.
    """
    text = raw.strip()
    if not text:
        raise InvalidPhone("The phone number is empty.")
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidPhone(f"{raw!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"{raw!r} is not a valid phone number for its country ({region}).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 7 and all(ch.isdigit() or ch in " +-()." for ch in text.strip())
