"""The short answer a voice says: the content's own short answer, else the first sentences, SSML-safe;
and the full answer as a screen shows it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .entries import Entry
from .sections import ITEM

MAX_WORDS = 40
ANSWERS_KEPT = 8192
"""Spoken answers remembered (a few MB for a large site's content)."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý\"'])")
_AND = {"en": "and", "nl": "en"}
_MORE = {"en": ("There is 1 more.", "There are {n} more."), "nl": ("Er is er nog 1.", "Er zijn er nog {n}.")}
"""Said after the items of a list or table that did not fit: the rest is on the card, not gone."""
_UNSAFE = re.compile(r"[<>&{}\[\]\\|*_`#~^]")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*\)")
_MD_LINK_SHOWN = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)\)(?:\s*\(\2\))?")
"""A Markdown link, with its address in brackets behind it when the text repeats it."""
_URL_END = r"[^\s<>()\[\].,;:!?'\"]"
_URL = re.compile(
    rf"(?:https?://|www\.)[^\s<>()\[\]]*{_URL_END}|\b(?:[a-z0-9-]+\.)+[a-z]{{2,}}/[^\s<>()]*{_URL_END}",
    re.IGNORECASE,
)
_URL_IN_BRACKETS = re.compile(r"\s*\((?:https?://|www\.)[^\s()]*\)", re.IGNORECASE)
_TAG = re.compile(r"<(?:/?([A-Za-z][\w-]*)(?=[\s/>])[^<>]*|!--.*?--)>", re.DOTALL)
_TAGS = re.compile(rf"(?:{_TAG.pattern})+", re.DOTALL)
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


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    item: bool
    """A list item or table row (``sections.ITEM``)."""

    @property
    def words(self) -> int:
        return _words(self.text)


def spoken_answer(entry: Entry, language: str = "en", max_words: int = MAX_WORDS) -> str:
    """At most ``max_words`` words: whole sentences where they fit, else the first sentence cut at a word.

    Links are said as their text and a web address as its site ("zuidervaart.nl"): a caller cannot
    click, and a path read out is noise. A list or table that does not fit with the text around it goes
    first: the lead-in's first sentence, the items that fit, and how many more there are."""
    return _spoken(entry.short or entry.text, language, max_words)


def shown_text(entry: Entry) -> str:
    """The full answer with its link, as a card shows it (the Alexa app, Dialogflow's card, chat): plain
    text everywhere, where Markdown is not rendered, so a link is its text with its address in brackets
    ("the [calendar](https://...)" is "the calendar (https://...)"). The entry's link follows unless the
    text shows that address already."""
    text = _MD_LINK_SHOWN.sub(_shown_link, entry.text)
    return f"{text} {entry.link}" if entry.link and not _shows(text, entry.link) else text


def _shows(text: str, address: str) -> bool:
    """Whether ``text`` has ``address`` as one of its web addresses, written with or without its scheme,
    ``www.`` and closing slash ("www.example.com/help" is "https://example.com/help/")."""
    wanted = _bare(address)
    return any(_bare(url[0]) == wanted for url in _URL.finditer(text))


def _bare(address: str) -> str:
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", address.strip(), flags=re.IGNORECASE)
    return bare.rstrip("/").lower()


def _shown_link(link: re.Match[str]) -> str:
    label, address = link[1].strip(), link[2]
    return address if not label or label == address else f"{label} ({address})"


@lru_cache(maxsize=ANSWERS_KEPT)
def _spoken(text: str, language: str, max_words: int) -> str:
    """``spoken_answer`` of a text, kept: every question renders each of its ten candidates, whose
    answers do not change (a keyword-only question took 0.66 ms of CPU instead of 0.24 without it)."""
    sentences = _sentences(text, language)
    chosen, left = _chosen(sentences, max_words)
    if left:
        budget = max_words - _words(_more(language, left))
        chosen, left = _chosen(_list_first(sentences, budget), budget)
    budget = max_words - (_words(_more(language, left)) if left else 0)
    spoken = " ".join(sentence.text for sentence in chosen)
    if sum(sentence.words for sentence in chosen) > budget:
        spoken = " ".join(spoken.split()[:budget]).rstrip(",;:") + "..."
    return f"{spoken} {_more(language, left)}" if left else spoken


def _sentences(text: str, language: str) -> list[_Sentence]:
    """The sentences of ``text``, each of its list items and table rows one sentence."""
    found: list[_Sentence] = []
    for line in text.splitlines():
        item = line.startswith(ITEM)
        plain = ssml_safe(_without_addresses(line.removeprefix(ITEM) if item else line), language)
        found.extend(_Sentence(part, item) for part in (_SENTENCE_END.split(plain) if plain else ()))
    return found


def _chosen(sentences: list[_Sentence], max_words: int) -> tuple[list[_Sentence], int]:
    """The first sentences that fit in ``max_words`` (at least one), and how many items are left."""
    chosen: list[_Sentence] = []
    count = 0
    for sentence in sentences:
        if chosen and count + sentence.words > max_words:
            break
        chosen.append(sentence)
        count += sentence.words
    return chosen, sum(s.item for s in sentences) - sum(s.item for s in chosen)


def _list_first(sentences: list[_Sentence], max_words: int) -> list[_Sentence]:
    """The sentences from the first item on, after the first sentence of the text before it when the
    first item fits beside it."""
    first = next((i for i, sentence in enumerate(sentences) if sentence.item), 0)
    lead = sentences[:1] if first and sentences[0].words + sentences[first].words <= max_words else []
    return lead + sentences[first:]


def _words(text: str) -> int:
    """Words as said: a dash between two times is none."""
    return sum(any(c.isalnum() for c in word) for word in text.split())


def _more(language: str, left: int) -> str:
    one, many = _MORE.get(language[:2], _MORE["en"])
    return one if left == 1 else many.format(n=left)


def _without_addresses(text: str) -> str:
    """Links as their text, a web address in brackets behind its text left out, any other as its site."""
    text = _URL_IN_BRACKETS.sub("", _MD_LINK.sub(r"\1", text))
    return _URL.sub(lambda url: _site(url[0]), text)


def _site(url: str) -> str:
    host = re.split(r"[/?#:]", re.sub(r"^https?://", "", url, flags=re.IGNORECASE), maxsplit=1)[0]
    return host[4:] if host.lower().startswith("www.") else host


def ssml_safe(text: str, language: str = "en") -> str:
    """Plain text without characters that are markup in SSML, Markdown or templates; one line."""
    text = without_tags(text).replace("&", f" {_AND.get(language, 'and')} ")
    text = text.replace("<", "").replace(">", "")  # around what was no tag: "<info@example.com>,"
    return " ".join(_UNSAFE.sub(" ", text).split())


def without_tags(text: str) -> str:
    """``text`` without HTML tags and comments: content written for a web page is read, not spelled
    ("Use <b>bold</b>" is "Use bold", not "Use b bold /b"); other text in angle brackets stays."""
    return _TAGS.sub(lambda run: _run_gap(run, text), text)


def _run_gap(run: re.Match[str], text: str) -> str:
    """What takes the place of adjacent tags: inline ones join words ("<b>free</b>."), but not across a
    sentence's end ("akkoord.</span><a>Ik snap het" is "akkoord. Ik snap het")."""
    gap = "".join(_tag_gap(tag, text) for tag in _TAG.finditer(run[0]))
    ended = run.start() > 0 and text[run.start() - 1] in ".!?:;,"
    return " " if not gap and ended and text[run.end() : run.end() + 1].isalnum() else gap


def _tag_gap(tag: re.Match[str], text: str) -> str:
    name = (tag.group(1) or "").lower()
    if name in _INLINE:
        return ""
    if not name or name in _BLOCK or tag.group(0).startswith("</") or "=" in tag.group(0):
        return " "
    closed = re.search(rf"</{re.escape(name)}\s*>", text, re.IGNORECASE)  # only an unknown name
    return " " if closed else tag.group(0)
