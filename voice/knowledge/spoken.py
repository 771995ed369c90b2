"""The short answer a voice says: the content's own short answer, else the first sentences, SSML-safe."""

from __future__ import annotations

import re

from .entries import Entry

MAX_WORDS = 40
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý\"'])")
_AND = {"en": "and", "nl": "en"}
_UNSAFE = re.compile(r"[<>&{}\[\]\\|*_`#~^]")
_TAG = re.compile(r"<(?:/?([A-Za-z][\w-]*)(?=[\s/>])[^<>]*|!--.*?--)>", re.DOTALL)
_INLINE = {"a", "abbr", "b", "code", "em", "font", "i", "mark", "small", "span", "strong", "sub", "sup", "u"}
"""Tags inside a sentence: removed without a space, so "<b>free</b>." stays "free."."""
_BLOCK = set(
    [
        "address",
        "article",
        "aside",
        "audio",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "iframe",
        "img",
        "input",
        "label",
        "li",
        "main",
        "nav",
        "noscript",
        "ol",
        "p",
        "picture",
        "pre",
        "script",
        "section",
        "source",
        "style",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
        "video",
        "wbr",
    ]
)
"""The other HTML elements a help text holds. Anything else in angle brackets is text: an address
(``<info@example.com>``, ``<https://...>``) or a key (``press <Enter>``)."""


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
    return " " if not tag.group(1) or name in _BLOCK else tag.group(0)
