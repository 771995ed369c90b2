"""The SSML subset that replies use, turned into plain segments a synthesizer can speak.

Supported: ``speak``, ``break`` (time or strength), ``emphasis``, ``say-as``
(characters, spell-out, digits, telephone; others are read as written), ``sub`` (its alias, as a
spelled-out booking number "B 4 2" is said), ``prosody rate``
(x-slow .. x-fast or a percentage), ``p`` and ``s`` (a pause after them). Any other element
is read as its text, and text that is not well-formed SSML is read with its tags removed,
so a reply is always spoken.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

_LOGGER = logging.getLogger(__name__)

_RATE_WORDS = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.5}
_STRENGTH_MS = {"none": 0, "x-weak": 100, "weak": 250, "medium": 400, "strong": 700, "x-strong": 1000}
_EMPHASIS_RATE = {"strong": 0.8, "moderate": 0.9, "none": 1.0, "reduced": 1.1}
_SENTENCE_PAUSE_MS = 300
_MAX_PAUSE_MS = 10_000  # Alexa's own limit for <break>


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """A stretch of text spoken at one rate, followed by a pause."""

    text: str = ""
    rate: float = 1.0
    """Multiplier of the voice's normal speaking rate."""
    pause_ms: int = 0
    """Silence after the text, in milliseconds."""


def looks_like_ssml(text: str) -> bool:
    """True when the text is wrapped in ``<speak>``."""
    return text.lstrip().startswith("<speak")


def parse(text: str) -> list[Segment]:
    """Split SSML (or plain text) into segments; never raises on bad markup."""
    if not looks_like_ssml(text):
        return [Segment(text=text.strip())]
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        _LOGGER.warning("SSML is not well formed (%s); speaking it as plain text", exc)
        return [Segment(text=strip_tags(text))]
    segments: list[Segment] = []
    _walk(root, 1.0, segments)
    return _merge([s for s in segments if s.text or s.pause_ms])


def strip_tags(text: str) -> str:
    """Remove markup and collapse white space (none is left before punctuation: "4567</say-as>,")."""
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text))
    return re.sub(r" (?=[,.;:!?])", "", spaced).strip()


def _walk(element: ET.Element, rate: float, out: list[Segment]) -> None:
    tag = element.tag.rsplit("}", 1)[-1]
    if tag == "break":
        out.append(Segment(pause_ms=_break_ms(element)))
    elif tag == "say-as":
        out.append(Segment(text=_say_as(element), rate=rate))
    elif tag == "sub" and element.get("alias"):
        out.append(Segment(text=element.get("alias", ""), rate=rate))
    else:
        rate = rate * _rate_of(element, tag)
        if element.text:
            out.append(Segment(text=element.text, rate=rate))
        for child in element:
            _walk(child, rate, out)
            if child.tail:
                out.append(Segment(text=child.tail, rate=rate))
        if tag in ("p", "s"):
            out.append(Segment(pause_ms=_SENTENCE_PAUSE_MS))


def _rate_of(element: ET.Element, tag: str) -> float:
    if tag == "prosody":
        return _prosody_rate(element.get("rate", "medium"))
    if tag == "emphasis":
        return _EMPHASIS_RATE.get(element.get("level", "moderate"), 0.9)
    return 1.0


def _prosody_rate(value: str) -> float:
    value = value.strip().lower()
    if value in _RATE_WORDS:
        return _RATE_WORDS[value]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)%", value)
    if match:
        return min(max(float(match.group(1)) / 100.0, 0.2), 4.0)
    return 1.0


def _break_ms(element: ET.Element) -> int:
    time = element.get("time", "").strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s)", time)
    if match:
        value = float(match.group(1)) * (1000 if match.group(2) == "s" else 1)
        return int(min(value, _MAX_PAUSE_MS))
    return _STRENGTH_MS.get(element.get("strength", "medium"), _STRENGTH_MS["medium"])


def _say_as(element: ET.Element) -> str:
    text = "".join(element.itertext()).strip()
    kind = element.get("interpret-as", "").lower()
    if kind in ("characters", "spell-out", "verbatim"):
        return " ".join(ch for ch in text if not ch.isspace())
    if kind == "digits":
        return " ".join(ch for ch in text if ch.isalnum())
    if kind == "telephone":  # digit by digit, with a short pause between the groups as written
        groups = ["".join(ch for ch in group if ch.isalnum()) for group in re.split(r"[\s\-/().]+", text)]
        return ", ".join(" ".join(group) for group in groups if group)
    return text


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbours of equal rate and fold pauses into the text before them."""
    merged: list[Segment] = []
    for segment in segments:
        text = re.sub(r"\s+", " ", segment.text)
        if merged and not text.strip() and segment.pause_ms:
            merged[-1] = replace(merged[-1], pause_ms=merged[-1].pause_ms + segment.pause_ms)
        elif merged and merged[-1].rate == segment.rate and not merged[-1].pause_ms:
            merged[-1] = replace(merged[-1], text=merged[-1].text + text, pause_ms=segment.pause_ms)
        else:
            merged.append(replace(segment, text=text))
    return [replace(s, text=s.text.strip()) for s in merged if s.text.strip() or s.pause_ms]
