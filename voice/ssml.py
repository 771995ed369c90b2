"""Replies as SSML: recognising it, reading its text, and making valid SSML for the platforms.

Only text handling lives here; speaking SSML is ``speech.ssml``'s job (the local channel).
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

__all__ = [
    "display_text",
    "followed_by",
    "joined",
    "joined_all",
    "looks_like_ssml",
    "shorten",
    "spelled_out",
    "spoken_text",
    "strip_tags",
    "to_ssml",
    "without_ending",
]

_QUOTE = {'"': "&quot;"}
"""What ``escape`` must escape besides ``&``, ``<`` and ``>`` in an attribute written in double quotes."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0 forbids in a document, escaped or not: control characters, U+FFFE, U+FFFF, surrogates."""
_SUB = re.compile(r"<sub\b[^>]*?\balias\s*=\s*(\"[^\"]*\"|'[^']*')[^>]*>.*?</sub>", re.DOTALL)
"""An SSML ``<sub alias="...">written</sub>``: the alias is what is said."""


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


def without_ending(speech: str, text: str) -> str:
    """``speech`` without the plain ``text`` at its end, as ``followed_by`` put it there (escaped, inside
    ``<speak>``, when the speech is SSML)."""
    head, end, _ = speech.rstrip().rpartition("</speak>")
    if looks_like_ssml(speech) and end:
        return f"{head.rstrip().removesuffix(escape(text)).rstrip()}</speak>"
    return speech.removesuffix(text).rstrip()


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


def spelled_out(value: str) -> str:
    """SSML that says ``value`` character by character ("B 4 2": a voice reads "B42" as a number)
    and shows it as written: ``<sub>``, whose alias is said, and whose text a screen shows."""
    said = " ".join(char for char in value if not char.isspace())
    return f'<sub alias="{escape(said, _QUOTE)}">{escape(value)}</sub>'


def spoken_text(speech: str) -> str:
    """The speech as plain text the way it is said: a ``<sub>``'s alias for its text, no markup, entities
    decoded; plain text as it is. For a plain-text voice (a phone gateway's ``fulfillmentText``)."""
    if not looks_like_ssml(speech):
        return speech
    said = _SUB.sub(lambda found: f" {found[1][1:-1]} ", speech)
    return html.unescape(strip_tags(said))


def display_text(speech: str) -> str:
    """The speech as plain text the way a screen shows it: a ``<sub>``'s written text, no markup,
    entities decoded; plain text as it is."""
    return html.unescape(strip_tags(speech)) if looks_like_ssml(speech) else speech


def joined_all(first: str, *more: str) -> str:
    """Several speeches said one after the other (``joined``): SSML when any is."""
    return functools.reduce(joined, more, first)


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
        speech = spoken_text(speech)
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
