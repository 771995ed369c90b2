"""Pages: Markdown and HTML split into passages at their headings, plain text at blank-line paragraphs."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..errors import SkillError
from .charset import html_text, utf8_text
from .entries import Entry
from .faq import slug
from .html_pages import read_sections
from .sections import Passage, Section, passages, row
from .spoken import without_tags

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)
_SETTING = re.compile(r"[a-z_][A-Za-z0-9_-]*")
"""A front matter key (``title``, ``date``, ``linkTitle``), not the start of a sentence ("Note: ...")."""
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_MARKS = re.compile(r"[*_`>|]+")
_MD_ITEM = re.compile(r"^\s*(?:[-+*]|\d{1,3}[.)])\s+(.*)$")
_MD_RULE = re.compile(r"^ {0,3}([-*_=])(?:\s*\1){2,}\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_UNDERLINE = re.compile(r"([=~*-])\1{2,}")
_TEXT_HEADING = 60
"""Longest line (characters) a plain-text heading can be."""


def read_markdown(path: Path, source: str) -> list[Entry]:
    """One passage per heading (the text up to the next heading), titled with the page's title
    (its ``#`` heading, else the front matter's ``title``). Front matter is the page's settings, not its
    text; a ``#`` line in a fenced code block is code, not a heading; list items and table rows are
    sentences of their own (a table's ``---`` row is no text)."""
    text, settings = _front_matter(utf8_text(path))
    title = settings.get("title")
    return _entries(path, source, passages(_MarkdownSections().read(text), str(title or "")))


class _MarkdownSections:
    """Markdown lines into sections: paragraphs, list items and table rows, under their headings."""

    def __init__(self) -> None:
        self.sections = [Section(0, "")]
        self._paragraph: list[str] = []
        self._item: list[str] | None = None
        self._table: list[list[str]] = []

    def read(self, text: str) -> list[Section]:
        fenced = False
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if _MD_FENCE.match(line):
                fenced = not fenced
            elif fenced:
                self._paragraph.append(line)
            else:
                self._line(line, lines[number + 1] if number + 1 < len(lines) else "")
        self._end()
        return self.sections

    def _line(self, line: str, after: str) -> None:
        """One line outside code; ``after``: the next, whose ``---`` row makes this one a table's header."""
        heading = _MD_HEADING.match(line)
        item = _MD_ITEM.match(line)
        table_row = "|" in line and (
            bool(self._table) or line.lstrip().startswith("|") or _MD_TABLE_RULE.match(after)
        )
        if heading:
            self._end()
            self.sections.append(Section(len(heading.group(1)), _md_plain(heading.group(2)).strip()))
        elif table_row:
            self._end(table=False)
            self._table.append([] if _MD_TABLE_RULE.match(line) else _cells(line))
        elif not line.strip() or _MD_RULE.match(line):
            self._end()
        elif item:
            self._end()
            self._item = [item.group(1)]
        elif self._item is not None:
            self._item.append(line)
        else:
            self._end(paragraph=False)
            self._paragraph.append(line)

    def _end(self, paragraph: bool = True, table: bool = True) -> None:
        """Write the paragraph, item or table being read (those not named stay open)."""
        section = self.sections[-1]
        if paragraph:
            section.paragraph(_md_plain(" ".join(self._paragraph)))
            self._paragraph = []
        if self._item is not None:
            section.item(_md_plain(" ".join(self._item)))
            self._item = None
        if table and self._table:
            for line in _table_rows(self._table):
                section.item(line)
            self._table = []


def _cells(line: str) -> list[str]:
    return [_md_plain(cell).strip() for cell in line.strip().strip("|").split("|")]


def _table_rows(rows: list[list[str]]) -> list[str]:
    """A Markdown table's rows as sentences; the row above its ``---`` row is its header."""
    header = rows[0] if len(rows) > 1 and not rows[1] else None
    return [row(cells, header) for cells in rows[1 if header else 0 :] if any(cells)]


def _front_matter(text: str) -> tuple[str, dict[str, Any]]:
    """``text`` without its front matter, and the settings in it: a block between ``---`` lines at the
    top that is YAML settings (a mapping of simple keys: ``title``, ``date``, ``tags``). A page that
    merely opens with a horizontal rule, with another one further down, keeps the text between them."""
    found = _MD_FRONT_MATTER.match(text)
    settings = _settings(found.group(1)) if found else None
    return (text[found.end() :], settings) if found and settings is not None else (text, {})


def _settings(block: str) -> dict[str, Any] | None:
    """The settings at the top of a page: empty, or a YAML mapping of simple keys; None for other text."""
    if not block.strip():
        return {}
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return None
    if isinstance(data, dict) and all(isinstance(key, str) and _SETTING.fullmatch(key) for key in data):
        return data
    return None


def _md_plain(line: str) -> str:
    """Markdown as plain text: links as their text, without tags and marks."""
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", without_tags(line)))


def read_html(path: Path, source: str) -> list[Entry]:
    """One passage per heading (h1-h6) of the page's main content, titled with the page's title; read
    in the charset the page declares."""
    title, sections = read_sections(html_text(path))
    return _entries(path, source, passages(sections, title))


def read_text(path: Path, source: str) -> list[Entry]:
    """One passage per paragraph (separated by blank lines), titled by the heading above it or its
    first line. A heading is not part of the text, so the answer does not begin "Phone You can ...";
    one on a line of its own (a blank line after it), or a question there, titles the paragraph after it."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", utf8_text(path)) if p.strip()]
    sections: list[Passage] = []
    above = ""
    for number, paragraph in enumerate(paragraphs, 1):
        heading, text = _heading(paragraph)
        if heading and not text and number < len(paragraphs):
            above = heading
            continue
        title = heading or above or paragraph.partition("\n")[0].strip()[:80]
        sections.append(Passage(title, title, " ".join((text or paragraph).split())))
        above = ""
    return _entries(path, source, sections)


def _heading(paragraph: str) -> tuple[str, str]:
    """(heading, the text after it) of a paragraph, or ("", paragraph) when it opens with no heading.

    A heading is short and has no punctuation at its end. It is the paragraph's only line, or underlined
    (``=====``), or the next line starts a sentence that could not have begun on its line: the next
    line's first word would have fit behind it. A hard-wrapped line is as long as the paragraph's lines
    get, so one that breaks before "Amsterdam" or "Monday" stays part of the text. A question on a line
    of its own is a heading too: FAQ files put it above its answer, with a blank line between."""
    first, _, rest = paragraph.partition("\n")
    first, rest = first.strip(), rest.strip()
    if not rest and first.endswith("?"):
        return first, ""
    if len(first) > _TEXT_HEADING or first[-1] in ".,;:!?" or not any(c.isalnum() for c in first):
        return "", paragraph
    underline, _, after = rest.partition("\n")
    if _UNDERLINE.fullmatch(underline.strip()):
        return first, after.strip()
    if not rest:
        return first, ""
    starts_sentence = rest[0].isupper() or rest[0].isdigit()
    width = max(len(line.strip()) for line in paragraph.splitlines())
    wrapped = len(first) + 1 + len(rest.split()[0]) > width  # the next word did not fit: a hard wrap
    return (first, rest) if starts_sentence and not wrapped else ("", paragraph)


def _entries(path: Path, source: str, found: list[Passage]) -> list[Entry]:
    page = _page_id(source)
    entries = [
        Entry(id=f"{page}#{slug(p.heading)}", title=p.title, text=p.text, source=source, context=p.context)
        for p in found
        if p.text
    ]
    if not entries:
        raise SkillError.said("content_no_text", path=path)
    return _unique(entries)


def _page_id(source: str) -> str:
    """A page's part of its passages' ids: its path in the content folder without the suffix
    (``faq.md`` -> ``faq``, ``site/shipping/index.html`` -> ``site/shipping/index``), so the pages of a
    site, each an ``index.html`` in its own folder, do not share ids."""
    return "/".join(slug(part) for part in PurePosixPath(source).with_suffix("").parts)


def _unique(entries: list[Entry]) -> list[Entry]:
    """Give repeated headings distinct ids (``page#faq``, ``page#faq-2``)."""
    seen: dict[str, int] = {}
    out = []
    for entry in entries:
        seen[entry.id] = seen.get(entry.id, 0) + 1
        if seen[entry.id] > 1:
            entry = Entry(**{**entry.to_dict(), "id": f"{entry.id}-{seen[entry.id]}"})
        out.append(entry)
    return out
