"""Replies as SSML: recognising it, reading its text, and making valid SSML for the platforms.

Only text handling lives here; speaking SSML is ``speech.ssml``'s job (the local channel).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, unescape

__all__ = ["followed_by", "joined", "looks_like_ssml", "shorten", "strip_tags", "to_ssml"]

_ENTITIES = {"&quot;": '"', "&apos;": "'"}
"""The XML entities ``unescape`` does not decode by itself."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0 forbids in a document, escaped or not: control characters, U+FFFE, U+FFFF, surrogates."""


def looks_like_ssml(text: str) -> bool:
    """True when the text is wrapped in ``<speak>``."""
    return text.lstrip().startswith("<speak")


def followed_by(speech: str, text: str) -> str:
    """``speech`` (plain text or SSML) with the plain ``text`` said after it; SSML stays SSML, so a
    question added to a reply does not lose the reply's markup."""
    head, end, _ = speech.rstrip().rpartition("</speak>")
    if looks_like_ssml(speech) and end:
        return f"{head} {escape(text)}</speak>"
    return f"{speech} {text}"


def joined(first: str, second: str) -> str:
    """Two speeches said one after the other, each plain text or SSML: SSML when either is, so
    neither loses its markup (a phone number read digit by digit)."""
    if not looks_like_ssml(second):
        return followed_by(first, second)
    inner = re.sub(r"^\s*<speak[^>]*>|</speak>\s*$", "", second)
    head, end, _ = first.rstrip().rpartition("</speak>")
    if looks_like_ssml(first) and end:
        return f"{head} {inner}</speak>"
    return f"<speak>{escape(first)} {inner}</speak>"


def strip_tags(text: str) -> str:
    """Remove markup and collapse white space (none is left before punctuation: "4567</say-as>,")."""
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text))
    return re.sub(r" (?=[,.;:!?])", "", spaced).strip()


def to_ssml(speech: str, limit: int | None = None) -> str:
    """Valid SSML for a reply's speech: plain text escaped into ``<speak>``; at most ``limit`` chars.

    Characters XML forbids become spaces first (a slot value can bring a control character, and
    no escape makes one legal), so an SSML template keeps its markup. Markup that is not well
    formed, or too long to cut safely, is spoken as its plain text.
    """
    speech = _NOT_XML.sub(" ", speech)
    if looks_like_ssml(speech):
        if _well_formed(speech) and (limit is None or len(speech.strip()) <= limit):
            return speech.strip()
        speech = unescape(strip_tags(speech), _ENTITIES)
    text = speech.strip()
    if limit is not None:
        text = shorten(text, limit - len("<speak></speak>"), escaped=True)
    return f"<speak>{escape(text)}</speak>"


def shorten(text: str, limit: int, *, escaped: bool = False) -> str:
    """``text`` cut at the last sentence end (else word) that fits ``limit`` (counted escaped)."""
    size = (lambda part: len(escape(part))) if escaped else len
    if size(text) <= limit:
        return text
    head = text[:limit]
    while size(head) > limit:
        head = head[: len(head) - (size(head) - limit)]
    for boundary in (r"[.!?](?=\s|$)", r"\s"):
        ends = [m.end() for m in re.finditer(boundary, head)]
        if ends:
            return head[: ends[-1]].strip()
    return head


def _well_formed(ssml: str) -> bool:
    try:
        ET.fromstring(ssml)
    except ET.ParseError:
        return False
    return True
