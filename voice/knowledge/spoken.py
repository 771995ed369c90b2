"""The short answer a voice says: the content's own short answer, else the first sentences, SSML-safe."""

from __future__ import annotations

import re

from .entries import Entry

MAX_WORDS = 40
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý\"'])")
_AND = {"en": "and", "nl": "en"}
_UNSAFE = re.compile(r"[<>&{}\[\]\\|*_`#~^]")
_TAG = re.compile(r"<(?:/?([A-Za-z][\w-]*)(?=[\s/>])[^<>]*|!--.*?--)>", re.DOTALL)
_INLINE_ELEMENTS = """a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark q s samp small span
strike strong sub sup time tt u var wbr"""
_INLINE = frozenset(_INLINE_ELEMENTS.split())
"""Tags inside a sentence: removed without a space, so "<b>free</b>." stays "free."."""
_ELEMENTS = """address area article aside audio base blockquote body br button canvas caption center col
colgroup datalist dd details dialog div dl dt embed fieldset figcaption figure footer form frame h1 h2 h3
h4 h5 h6 head header hgroup hr html iframe img input label legend li link main map menu meta meter nav
noscript object ol optgroup option output p param path picture pre progress rp rt ruby script search
section select slot source style summary svg table tbody td template textarea tfoot th thead title tr
track ul video"""
_BLOCK = frozenset(_ELEMENTS.split())
"""Every other HTML element: a tag ends a word. In angle brackets, anything else with neither
attributes nor a closing tag is text: an address (``<info@example.com>``) or a key (``press <Enter>``)."""


def spoken_answer(entry: Entry, language: str = "en", max_words: int = MAX_WORDS) -> str:
    """At most ``max_words`` words: whole sentences where they fit, else the first sentence cut at a word."""
    text = ssml_safe(entry.short or entry.text, language)
    chosen: list[str] = []
    count = 0
    for sentence in _SENTENCE_END.split(text):
        words = len(sentence.split())
        if chosen and count + words > max_words:
            break
        chosen.append(sentence)
        count += words
    spoken = " ".join(chosen)
    if count > max_words:
        spoken = " ".join(spoken.split()[:max_words]).rstrip(",;:") + "..."
    return spoken


def ssml_safe(text: str, language: str = "en") -> str:
    """Plain text without characters that are markup in SSML, Markdown or templates; one line."""
    text = without_tags(text).replace("&", f" {_AND.get(language, 'and')} ")
    text = text.replace("<", "").replace(">", "")  # around what was no tag: "<info@example.com>,"
    return " ".join(_UNSAFE.sub(" ", text).split())


def without_tags(text: str) -> str:
    """``text`` without HTML tags and comments: content written for a web page is read, not spelled
    ("Use <b>bold</b>" is "Use bold", not "Use b bold /b"); other text in angle brackets stays."""
    return _TAG.sub(_tag_gap, text)


def _tag_gap(tag: re.Match[str]) -> str:
    name = (tag.group(1) or "").lower()
    if name in _INLINE:
        return ""
    if not name or name in _BLOCK or tag.group(0).startswith("</") or "=" in tag.group(0):
        return " "
    closed = re.search(rf"</{re.escape(name)}\s*>", tag.string, re.IGNORECASE)  # only an unknown name
    return " " if closed else tag.group(0)
