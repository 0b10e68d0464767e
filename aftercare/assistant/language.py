"""A1: which language a message is in. Codes: en, zh-Hans, zh-Hant, and ISO 639-1 otherwise.

Scripts decide first (kana means Japanese, Han characters mean Chinese), because they are
certain and free; lingua only arbitrates among the Latin-script languages the merchant serves,
which is where it is accurate even on short texts. Simplified and Traditional Chinese are told
apart by characters that exist in only one of the two scripts (derived from OpenCC's tables).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from aftercare.assistant.text import CJK, KANA, LATIN_LETTER, _converter

DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "es", "pt", "fr", "de", "ja")
LATIN_LANGUAGES = ("en", "es", "pt", "fr", "de")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _script_only_chars() -> tuple[frozenset[str], frozenset[str]]:
    """(Simplified-only, Traditional-only) characters of the CJK Unified block."""
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    # One character a line: OpenCC's phrase tables then cannot join neighbours.
    joined = "\n".join(chars)
    as_trad = _converter("s2t").convert(joined).split("\n")
    as_simp = _converter("t2s").convert(joined).split("\n")
    simplified = frozenset(c for c, t in zip(chars, as_trad, strict=True) if t != c)
    traditional = frozenset(c for c, s in zip(chars, as_simp, strict=True) if s != c)
    # A character in both sets converts both ways (rare variants); it proves nothing.
    both = simplified & traditional
    return simplified - both, traditional - both


def chinese_script(text: str, default: str = "zh-Hans") -> str:
    simplified, traditional = _script_only_chars()
    simp = sum(ch in simplified for ch in text)
    trad = sum(ch in traditional for ch in text)
    if simp == trad:
        return default
    return "zh-Hans" if simp > trad else "zh-Hant"


@lru_cache(maxsize=16)
def _lingua(codes: tuple[str, ...]) -> Any:
    """One detector per set of Latin languages, built once: models load in ~0.5 s."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    with _lock:
        return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()


@lru_cache(maxsize=16)
def _detector(codes: tuple[str, ...]) -> Any:
    return _lingua(codes).build()


def detect_language(
    text: str, languages: Sequence[str] | None = None, *, default: str | None = None
) -> str:
    """The most likely of `languages` (the merchant's; all supported when None)."""
    served = tuple(languages or DEFAULT_LANGUAGES)
    fallback = default or served[0]
    cjk = len(CJK.findall(text))
    kana = len(KANA.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if kana and "ja" in served:
        return "ja"
    chinese = [code for code in served if code.startswith("zh")]
    # A Han character carries about a word's meaning; three Latin letters about as much.
    if cjk and chinese and cjk * 3 >= latin:
        if len(chinese) == 1:
            return chinese[0]
        return chinese_script(text, default=chinese[0])
    latin_codes = tuple(sorted(c for c in served if c in LATIN_LANGUAGES))
    if not latin or not latin_codes:
        return fallback
    if len(latin_codes) == 1:
        return latin_codes[0]
    found = _detector(latin_codes).detect_language_of(text)
    if found is None:
        return fallback
    return str(found.iso_code_639_1.name.lower())


def detect_languages(texts: Iterable[str], languages: Sequence[str] | None = None) -> list[str]:
    return [detect_language(text, languages) for text in texts]


def supported(code: str) -> bool:
    return code in DEFAULT_LANGUAGES
