"""Pages: Markdown and HTML split into passages at their headings, plain text at blank-line paragraphs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import yaml

from ..errors import SkillError
from .charset import html_text
from .entries import Entry
from .faq import slug
from .spoken import without_tags

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)
_SETTING = re.compile(r"[a-z_][A-Za-z0-9_-]*")
"""A front matter key (``title``, ``date``, ``linkTitle``), not the start of a sentence ("Note: ...")."""
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_MARKS = re.compile(r"[*_`>|]+|^\s*[-+]\s+|^\s*\d+\.\s+", re.MULTILINE)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED = {"script", "style", "nav", "header", "footer", "head"}
_BLOCKS = {"p", "li", "div", "br", "tr", "td", "th", "section", "article", "dd", "dt", "table", "ul", "ol"}
_UNDERLINE = re.compile(r"([=~*-])\1{2,}")
_TEXT_HEADING = 60
"""Longest line (characters) a plain-text heading can be."""


def read_markdown(path: Path, source: str) -> list[Entry]:
    """One passage per heading (the text up to the next heading); text before the first heading too.
    Front matter is the page's settings, not its text; a ``#`` line in a fenced code block is code, not
    a heading."""
    sections: list[tuple[str, list[str]]] = [(path.stem, [])]
    fenced = False
    for line in _without_front_matter(_text(path)).splitlines():
        if _MD_FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else _MD_HEADING.match(line)
        if heading:
            sections.append((_md_plain(heading.group(2)).strip(), []))
        else:
            sections[-1][1].append(_md_plain(line))
    return _passages(path, source, [(title, " ".join(lines)) for title, lines in sections])


def _without_front_matter(text: str) -> str:
    """``text`` without its front matter: a block between ``---`` lines at the top that is YAML settings
    (a mapping of simple keys: ``title``, ``date``, ``tags``). A page that merely opens with a horizontal
    rule, with another one further down, keeps the text between them."""
    found = _MD_FRONT_MATTER.match(text)
    return text[found.end() :] if found and _settings(found.group(1)) else text


def _settings(block: str) -> bool:
    """Whether the block at the top of a page is its settings: empty, or a YAML mapping of simple keys."""
    if not block.strip():
        return True
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and all(isinstance(key, str) and _SETTING.fullmatch(key) for key in data)


def _md_plain(line: str) -> str:
    """A Markdown line as plain text: links as their text, without tags and marks."""
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", without_tags(line)))


def read_html(path: Path, source: str) -> list[Entry]:
    """One passage per heading (h1-h6) of the page's visible text."""
    parser = _Sections(path.stem)
    parser.feed(html_text(path))
    parser.close()
    return _passages(path, source, parser.sections)


def read_text(path: Path, source: str) -> list[Entry]:
    """One passage per paragraph (separated by blank lines), titled by the heading above it or its
    first line. A heading is not part of the text, so the answer does not begin "Phone You can ...";
    one on a line of its own (a blank line after it), or a question there, titles the paragraph after it."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", _text(path)) if p.strip()]
    sections: list[tuple[str, str]] = []
    above = ""
    for number, paragraph in enumerate(paragraphs, 1):
        heading, text = _heading(paragraph)
        if heading and not text and number < len(paragraphs):
            above = heading
            continue
        sections.append((heading or above or paragraph.partition("\n")[0].strip()[:80], text or paragraph))
        above = ""
    return _passages(path, source, sections)


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


def _passages(path: Path, source: str, sections: list[tuple[str, str]]) -> list[Entry]:
    page = _page_id(source)
    entries = []
    for title, body in sections:
        text = " ".join(body.split())
        if text:
            entry_id = f"{page}#{slug(title)}"
            entries.append(Entry(id=entry_id, title=title or path.stem, text=text, source=source))
    if not entries:
        raise SkillError(f"{path} has no text to answer from; add some or remove the file.")
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


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # Windows editors may start it with a BOM
    except UnicodeDecodeError as exc:
        raise SkillError(f"{path} is not UTF-8 text; save it as UTF-8.") from exc


class _Sections(HTMLParser):
    """Collects (heading, text) pairs from an HTML page, skipping scripts, styles and navigation."""

    def __init__(self, first_title: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, str]] = [(first_title, "")]
        self._skip = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag in _HEADINGS:
            self._heading = []
        elif tag in _BLOCKS:
            self._add(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in _HEADINGS and self._heading is not None:
            self.sections.append((" ".join("".join(self._heading).split()), ""))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        else:
            self._add(data)

    def _add(self, data: str) -> None:
        title, body = self.sections[-1]
        self.sections[-1] = (title, body + data)
