"""HTML pages as sections: only the page's main content, its tables by row and its lists by item.

The content is the page's ``<main>`` (or ``role=main``, or its one ``<article>``) when it has one,
without what is not content wherever it is (``html_text``: consent dialogs, navigation, the site's header
and footer).

A web shop's FAQ page is an accordion of questions, each a section of its own, so that a caller who
asks one hears its answer, not the page: ``<details>`` with its ``<summary>``, a definition list of
questions, headings that are (or hold the button of) a question, and the schema.org ``FAQPage`` that
search engines read (JSON-LD) for questions the page's HTML does not show (``faq_markup``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .faq_markup import asks_questions, structured_questions
from .html_text import BREAK, Line, element_text, not_content
from .html_tree import BLOCKS, HEADINGS, Node, child_elements, elements, first_element, parse_html
from .sections import Section, row

_SECTIONING = frozenset({"main", "article", "section"})
_FOLD = 7
"""The level of a folded question (``<details>``, a question ``<dt>``): below every heading, so the heading
above it is its context."""
_TITLE_SITE = re.compile(r"\s+[|\-–—·»]{1,2}\s+")
"""Between a page's title and its site's name: "Afval | Gemeente Zuidervaart"."""


def read_sections(html: str) -> tuple[str, list[Section]]:
    """The page's title (its ``<title>`` without the site's name) and the sections of its content."""
    document = parse_html(html)
    writer = _Writer()
    content = _content(document)
    writer.walk(content, inside=content is not document)
    writer.flush()
    shown = {_words(section.heading) for section in writer.sections}
    for question, answer in structured_questions(document):
        if _words(question) not in shown:
            shown.add(_words(question))
            writer.sections.append(Section(2, question, _fragment_lines(answer)))
    return _title(document), writer.sections


def _title(document: Node) -> str:
    """The page's ``<title>`` without the site's name."""
    found = first_element(document, lambda n: n.tag == "title")
    return _TITLE_SITE.split(element_text(found) if found else "")[0]


def _fragment_lines(html: str) -> list[str]:
    """The lines of a piece of HTML (an answer in JSON-LD), as a section's text reads it."""
    writer = _Writer()
    writer.walk(parse_html(html), inside=True)
    writer.flush()
    return [line for section in writer.sections for line in section.lines]


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _content(document: Node) -> Node:
    """The page's main content: ``<main>``, else ``role=main``, else its only ``<article>``, else all."""
    found = first_element(document, lambda n: n.tag == "main") or first_element(
        document, lambda n: n.attrs.get("role") == "main"
    )
    articles = elements(document, lambda n: n.tag == "article")
    return found or (articles[0] if len(articles) == 1 else document)


class _Writer:
    """Walks the content, writing its sections: a paragraph per block, an item per list item and row.

    A question's answer ends with the element around the question and its answer (an accordion's item,
    ``<details>``, the FAQ's ``<section>``): the text after it ("Staat uw vraag er niet bij? Bel ons.")
    belongs to the section above the questions again, not to the last answer."""

    def __init__(self) -> None:
        self.sections = [Section(0, "")]
        self._into = self.sections[0]
        self._above: dict[int, Section] = {}
        """By the ``id`` of a question's section: the section the text after its answer belongs to."""
        self._line = Line()

    def walk(self, node: Node, inside: bool) -> None:
        inside = inside or node.tag in _SECTIONING
        started = self._into
        for child in node.children:
            if isinstance(child, str):
                self._line.add(child)
            elif not not_content(child, inside):
                self._element(child, inside)
        self._answered(started)

    def _answered(self, started: Section) -> None:
        """Back to the section above the questions when the element that began with ``started`` being
        written ends with a question begun in it, and answered."""
        if self._into is not started and id(self._into) in self._above and self._into.lines:
            self.flush()
            self._into = self._above[id(self._into)]

    def flush(self) -> None:
        self._into.paragraph(self._line.take())

    def _section(self, level: int, heading: str) -> None:
        self.flush()
        if heading:
            above = self._above.get(id(self._into), self._into)
            self._into = Section(level, heading)
            self.sections.append(self._into)
            if level == _FOLD or heading.endswith("?"):
                self._above[id(self._into)] = above

    def _element(self, node: Node, inside: bool) -> None:
        if node.tag in HEADINGS or node.attrs.get("role") == "heading":
            self._section(_level(node), element_text(node, label=True))
        elif node.tag == "summary":
            self._section(_FOLD, element_text(node, label=True))
        elif node.tag == "dl" and asks_questions(node):
            started = self._into
            for child in child_elements(node, ("dt", "dd")):
                if child.tag == "dt":
                    self._section(_FOLD, element_text(child, label=True))
                else:
                    self.walk(child, inside)
                    self.flush()
            self._answered(started)
        elif node.tag in ("table", "ul", "ol", "dl"):
            self.flush()
            for line in _rows(node) if node.tag == "table" else _items(node):
                self._into.item(line)
        elif node.tag == "br":
            self._line.add(BREAK)
        elif node.tag in BLOCKS:
            self.flush()
            self.walk(node, inside)
            self.flush()
        else:
            self._line.boundary()
            self.walk(node, inside)
            self._line.boundary()


def _level(heading: Node) -> int:
    """A heading's level: ``h1``-``h6``, or ``role=heading`` with its ``aria-level`` (else 2)."""
    level = HEADINGS.get(heading.tag) or heading.attrs.get("aria-level", "")
    return min(max(int(level), 1), 6) if str(level).isdigit() else 2


def _rows(table: Node) -> list[str]:
    """A table's caption and rows as sentences; a first row of only ``th`` cells (or the rows in
    ``thead``) is the header, which names the values of the rows after it."""
    lines = [element_text(c) for c in child_elements(table, ("caption",))]
    header = None
    for number, (tr, in_head) in enumerate(_table_rows(table)):
        cells = child_elements(tr, ("td", "th"))
        texts = [element_text(cell) for cell in cells]
        if not any(texts):
            continue
        if in_head or (number == 0 and all(cell.tag == "th" for cell in cells)):
            header = texts
        else:
            lines.append(row(texts, header))
    return [line for line in lines if line]


def _table_rows(table: Node) -> Iterator[tuple[Node, bool]]:
    """The rows of ``table`` (not of tables in its cells), each with whether it is in ``thead``."""
    for child in child_elements(table, ("tr", "thead", "tbody", "tfoot")):
        if child.tag == "tr":
            yield child, False
        else:
            yield from ((tr, child.tag == "thead") for tr in child_elements(child, ("tr",)))


def _items(node: Node) -> Iterator[str]:
    """A list's items, those of the lists in them after each; a definition list's terms with their
    definitions ("Balie: 8.30 - 17.00 uur")."""
    pair: list[str] = []
    for child in child_elements(node, ("li", "dt", "dd")):
        text = element_text(child, without=("ul", "ol", "dl"))
        if child.tag == "dt" and pair:
            yield row(pair)
            pair = []
        if child.tag == "li":
            yield text
        else:
            pair.append(text)
        for inner in child_elements(child, ("ul", "ol", "dl")):
            yield from _items(inner)
    if pair:
        yield row(pair)
