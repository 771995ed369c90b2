"""A page as sections of lines: each paragraph, list item and table row a sentence of its own.

A page's structure is what keeps it speakable: a table read as running text ("Soort afval Prijs Grofvuil
...") has no sentence ends, so the spoken answer cannot pick its first rows. A passage's text keeps
one line per paragraph, and ``- `` in front of each list item and table row (``spoken.py`` reads them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ITEM = "- "
"""What starts the line of a list item or table row in a passage's text."""
_ENDS_SENTENCE = re.compile(r"[.!?:;][)\]\"'”’»]*$")
_TRAILING = re.compile(r"[\s,;]+$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(slots=True)
class Section:
    """A heading (``level`` 1-6; 0: the text before the first heading) and the lines under it."""

    level: int
    heading: str
    lines: list[str] = field(default_factory=list)

    def paragraph(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.lines.append(sentence(text))

    def item(self, text: str) -> None:
        text = _TRAILING.sub("", " ".join(text.split()))
        if text:
            self.lines.append(ITEM + sentence(text))


@dataclass(frozen=True, slots=True)
class Passage:
    heading: str
    """What the id is made of: the heading itself, so ids stay put when titles gain context."""
    title: str
    text: str
    context: str = ""
    """What ``title`` puts in front of the heading: the page's title and the parent heading."""


def sentence(text: str) -> str:
    """``text`` ending as a sentence does, so a row or item is not run into the next one."""
    return text if _ENDS_SENTENCE.search(text) else text + "."


def row(cells: list[str], header: list[str] | None = None) -> str:
    """A table row as a sentence: "Grofvuil: € 15,- per 100 kg"; with three or more columns the
    values are named by their header ("Maandag: balie 8.30 - 17.00 uur, telefonisch 8.30 - 12.30 uur")."""
    label, *values = cells
    if header and len(header) == len(cells) and len(cells) > 2:
        values = [
            f"{lower_first(name)} {value}" if name else value
            for name, value in zip(header[1:], values, strict=True)
            if value
        ]
    values = [value for value in values if value]
    if not values:
        return label
    return f"{label.rstrip(':')}: {', '.join(values)}" if label else ", ".join(values)


def lower_first(text: str) -> str:
    """``text`` with a capital that only starts it lowered ("Kosten" -> "kosten"; "ID-kaart" stays)."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word[0].isupper() and not any(c.isupper() for c in word[1:]):
        return text[0].lower() + text[1:]
    return text


def passages(sections: list[Section], page_title: str = "") -> list[Passage]:
    """The sections' passages, each titled so that it makes sense when heard on its own: a heading with
    the page's title and its parent heading ("Paspoort en ID-kaart: kosten").

    The page's title is its first h1, else ``page_title`` (the ``<title>`` element, front matter). Text
    before the first heading is the page's chrome when an h1 follows (banners, breadcrumbs); else it is
    filed under the page's title, or opens the first section; a page without headings is titled by its
    first sentence, never by its file name."""
    intro, headed = sections[0], [s for s in sections[1:] if s.heading]
    h1 = next((s.heading for s in headed if s.level == 1), "")
    title = h1 or page_title
    if intro.lines and not (headed and headed[0].level == 1):
        if title:
            headed.insert(0, Section(1, title, intro.lines))
        elif headed:
            headed[0] = Section(headed[0].level, headed[0].heading, intro.lines + headed[0].lines)
        else:
            first = _SENTENCE.split(intro.lines[0].removeprefix(ITEM))[0].rstrip(".")
            headed = [Section(1, first if len(first) <= 80 else first[:80].rsplit(" ", 1)[0], intro.lines)]
    return _titled(headed, title)


def _titled(sections: list[Section], title: str) -> list[Passage]:
    out: list[Passage] = []
    above: list[Section] = []
    for section in sections:
        while above and above[-1].level >= section.level:
            above.pop()
        parent = above[-1].heading if above else ""
        above.append(section)
        context = [text for text in dict.fromkeys((title, parent)) if text and text != section.heading]
        heard = ", ".join([*context[:1], *map(lower_first, context[1:])])
        title_heard = f"{heard}: {lower_first(section.heading)}" if context else section.heading
        if section.lines:
            out.append(Passage(section.heading, title_heard, "\n".join(section.lines), heard))
    return out
