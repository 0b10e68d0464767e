"""Text plumbing shared by the language detector, the classifiers and FAQ retrieval.

Traditional Chinese is folded to Simplified before features are taken, so one model serves
both scripts (the training data for one teaches the other). jieba and OpenCC load lazily:
importing this module costs nothing until a message is processed.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from itertools import pairwise
from typing import Any

_lock = threading.Lock()
_jieba: Any = None

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-zà-öø-ÿ]+|\d+", re.IGNORECASE)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    # Taiwan phrasing ("s2twp") reads most natural to zh-Hant customers.
    return str(_converter("s2twp").convert(text))


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def normalise(text: str) -> str:
    """The form features are taken from: NFKC (full-width to ASCII), lower case, Simplified,
    digit runs collapsed (order numbers carry no intent, only their surroundings do)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if CJK.search(text):
        text = to_simplified(text)
    return _DIGITS.sub("0", text)


def tokens(text: str) -> list[str]:
    """Words of a normalised text: jieba for Chinese runs, letters/digits for the rest."""
    out: list[str] = []
    pos = 0
    for match in _CJK_RUN.finditer(text):
        out.extend(_WORD.findall(text[pos : match.start()]))
        out.extend(_segmenter().lcut(match.group(), HMM=False))
        pos = match.end()
    out.extend(_WORD.findall(text[pos:]))
    return out


def word_features(text: str) -> list[str]:
    """Word unigrams and bigrams, the analyzer of the word half of the classifiers."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]
