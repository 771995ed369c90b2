"""Utterance normalisation: one canonical spelling before matching.

Recognisers and keyboards disagree about case, punctuation, apostrophes and
spacing; templates should not have to. The rules follow hassil's so that Home
Assistant's templates behave the same here: punctuation is dropped at word edges
(not inside "A.C." or "3.5"), whitespace collapses to single spaces, "’" becomes
"'". Case is folded with ``str.lower`` only when that keeps the length, so slot
text can be cut from the case-preserving copy at the same offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Utterance",
    "normalize",
    "normalize_template_text",
    "content_end",
    "read_breaks",
    "remove_skip_words",
    "squeeze_cjk",
]

_DASHES = "—–―"
_PUNCT_NO_PERIOD = f"。,，?¿？؟!¡！;；:：’…{_DASHES}"
_PUNCT = f".{_PUNCT_NO_PERIOD}"
_P = f"[{re.escape(_PUNCT)}]+"
_P_NO_PERIOD = f"[{re.escape(_PUNCT_NO_PERIOD)}]+"
_PUNCT_RULES = (
    re.compile(rf"^{_P}"),
    re.compile(rf"(?<=\W){_P}(?=\w)"),
    re.compile(rf"(?<=\w){_P_NO_PERIOD}(?=\W)"),
    re.compile(r"(?<!\w\.\w)\.(?=\W)"),
    re.compile(rf"(?<=\W){_P}(?=\W)"),
)
_PUNCT_END = re.compile(rf"{_P}$")
_ANY_PUNCT = re.compile(_P)
_TRAILING = re.compile(rf"[\s{re.escape(_PUNCT)}]*$")
_INITIALISM_END = re.compile(r"\b(?:\w\.){2,}$")
_WHITESPACE = re.compile(r"\s+")
_BREAK = str.maketrans("-_", "  ")
_CJK = "\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\uac00-\ud7af"
_CJK_WHITESPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def content_end(text: str) -> int:
    """Where ``text`` ends but for trailing spaces and punctuation (a match may stop there, as in hassil)."""
    found = _TRAILING.search(text)
    return found.start() if found is not None else len(text)


def read_breaks(text: str) -> str | None:
    """``text`` with "-" and "_" read as spaces ("living-room" matches "living room"), or None if it has none.

    The matcher tries literals and list values on this reading too, so the pre-filter must search it.
    """
    return text.translate(_BREAK) if "-" in text or "_" in text else None


def squeeze_cjk(text: str) -> str:
    """Drop whitespace between two CJK characters (hassil's ``ignore_whitespace`` languages)."""
    return _CJK_WHITESPACE.sub("", text)


def normalize_template_text(text: str) -> str:
    """Collapse whitespace, compose Unicode and straighten apostrophes (case kept)."""
    text = unicodedata.normalize("NFC", _WHITESPACE.sub(" ", text))
    return text.replace("’", "'")


def _strip_punctuation(text: str) -> str:
    if not _ANY_PUNCT.search(text):
        return text  # every rule removes punctuation; most utterances have none
    text = _PUNCT_RULES[0].sub("", text)
    if not _INITIALISM_END.search(text):
        text = _PUNCT_END.sub("", text)
    for rule in _PUNCT_RULES[1:]:
        text = rule.sub("", text)
    return text


@dataclass(frozen=True, slots=True)
class Utterance:
    """A normalised utterance: ``text`` keeps case, ``folded`` is what templates see."""

    text: str
    folded: str

    @classmethod
    def of(cls, text: str) -> Utterance:
        """Normalise ``text`` (see the module docstring)."""
        cleaned = _WHITESPACE.sub(" ", _strip_punctuation(normalize_template_text(text))).strip()
        folded = cleaned.lower()
        if len(folded) != len(cleaned):
            cleaned = folded
        return cls(cleaned, folded)


def normalize(text: str) -> str:
    """Return the folded, normalised form of ``text``."""
    return Utterance.of(text).folded


@lru_cache(maxsize=64)
def _skip_pattern(
    skip_words: tuple[str, ...], *, start: bool, end: bool, anywhere: bool = False
) -> re.Pattern[str] | None:
    words = sorted({normalize(w) for w in skip_words if w.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternation = "|".join(re.escape(w) for w in words)
    if anywhere:  # no word boundaries in languages written without spaces
        return re.compile(
            f"(?:{alternation})"
            if start and end
            else f"^(?:{alternation})"
            if start
            else f"(?:{alternation})$"
        )
    if start and end:
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
    if start:
        return re.compile(rf"^(?:{alternation})(?!\w)")
    return re.compile(rf"(?<!\w)(?:{alternation})$")


def remove_skip_words(
    utterance: Utterance,
    skip_words: Iterable[str],
    *,
    start: bool = True,
    end: bool = True,
    anywhere: bool = False,
) -> Utterance:
    """Drop skip words ("please", "alsjeblieft") everywhere, or only at the start or end.

    ``anywhere`` also drops them inside words (for languages written without spaces).
    """
    pattern = _skip_pattern(tuple(skip_words), start=start, end=end, anywhere=anywhere)
    if pattern is None:
        return utterance
    text, folded = utterance.text, utterance.folded
    while True:
        cuts = [m.span() for m in pattern.finditer(folded)]
        if not cuts:
            return Utterance(text, folded)
        text, folded = _cut(text, cuts, anywhere), _cut(folded, cuts, anywhere)
        if start and end:
            return Utterance(text, folded)


def _cut(text: str, spans: list[tuple[int, int]], glue: bool = False) -> str:
    pieces, last = [], 0
    for begin, finish in spans:
        pieces.append(text[last:begin])
        last = finish
    pieces.append(text[last:])
    return _WHITESPACE.sub(" ", ("" if glue else " ").join(pieces)).strip()
