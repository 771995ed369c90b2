"""HTML pages as sections: only the page's main content, its tables by row and its lists by item.

A page read whole gives callers its cookie banner as an answer ("Deze website gebruikt cookies ...
Accepteren Weigeren"). So the content is the page's ``<main>`` (or ``role=main``, or its one
``<article>``) when it has one, and everything that is not content is left out wherever it is:
consent dialogs, navigation, asides, forms and buttons, skip links, and the site's header and footer.

A web shop's FAQ page is an accordion of questions, each a section of its own, so that a caller who
asks one hears its answer, not the page: ``<details>`` with its ``<summary>``, a definition list of
questions, headings that are (or hold the button of) a question, and the schema.org ``FAQPage`` that
search engines read (JSON-LD) for questions the page's HTML does not show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .sections import Section, row

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_VOID_ELEMENTS = "area base br col embed hr img input link meta param source track wbr"
_VOID = frozenset(_VOID_ELEMENTS.split())
_DROPPED_ELEMENTS = """script style head title nav aside button form dialog noscript template svg select
textarea iframe object canvas audio video map"""
_DROPPED = frozenset(_DROPPED_ELEMENTS.split())
_CHROME = frozenset({"header", "footer"})
"""The site's banner and footer: dropped, except inside the content (an article's own header)."""
_SECTIONING = frozenset({"main", "article", "section"})
_NOT_CONTENT = re.compile(
    r"cookie|consent|gdpr|\bcc[-_]|cybot|onetrust|didomi|breadcrumb|skip", re.IGNORECASE
)
"""What the id, class or label of a banner, a consent dialog, a breadcrumb trail or a skip link says."""
_NOT_CONTENT_ROLES = frozenset({"dialog", "alertdialog", "navigation", "banner", "contentinfo", "search"})
_SKIP_LINK = re.compile(
    r"^(?:direct |ga |spring )?naar (?:de )?(?:hoofd)?(?:inhoud|content)"
    r"|^skip(?: to)?(?: the)? (?:main )?content",
    re.IGNORECASE,
)
_BLOCK_ELEMENTS = """address article blockquote body caption center dd details div dl dt fieldset
figcaption figure footer header hgroup hr html li main ol p pre section summary table tbody td tfoot th
thead tr ul"""
_BLOCKS = frozenset(_BLOCK_ELEMENTS.split())
_IMPLIED_END = {
    "li": ({"li"}, {"ul", "ol"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "thead": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "option": ({"option"}, {"select"}),
}
"""A tag whose start ends an open element of the first set, unless one of the second is nearer: HTML
lets pages leave out ``</li>``, ``</td>`` and ``</tr>``."""
_FOLD = 7
"""The level of a folded question (``<details>``, a question ``<dt>``): below every heading, so the heading
above it is its context."""
_BREAK = "\u2028"
_TITLE_SITE = re.compile(r"\s+[|\-–—·»]{1,2}\s+")
"""Between a page's title and its site's name: "Afval | Gemeente Zuidervaart"."""


@dataclass(slots=True)
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)


def read_sections(html: str) -> tuple[str, list[Section]]:
    """The page's title (its ``<title>`` without the site's name) and the sections of its content."""
    document = _Tree.parse(html)
    title = _TITLE_SITE.split(_text(_first(document, lambda n: n.tag == "title") or _Node("", {})))[0]
    writer = _Writer()
    content = _content(document)
    writer.walk(content, inside=content is not document)
    writer.flush()
    shown = {_words(section.heading) for section in writer.sections}
    for question, answer in _structured_questions(document):
        if _words(question) not in shown:
            shown.add(_words(question))
            writer.sections.append(Section(2, question, _fragment_lines(answer)))
    return title, writer.sections


def _structured_questions(document: _Node) -> Iterator[tuple[str, str]]:
    """The questions and answers (HTML) of the page's schema.org data (``FAQPage``, ``QAPage``) in
    ``<script type="application/ld+json">``, wherever they are in it; data that does not read is none."""
    for script in _all(document, lambda n: n.tag == "script"):
        if script.attrs.get("type", "").strip().lower() == "application/ld+json":
            try:
                data = json.loads("".join(c for c in script.children if isinstance(c, str)))
            except ValueError:
                continue
            yield from _questions_in(data)


def _questions_in(data: object) -> Iterator[tuple[str, str]]:
    if isinstance(data, list):
        for item in data:
            yield from _questions_in(item)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        answers = data.get("acceptedAnswer")
        answer = (answers[0] if answers else None) if isinstance(answers, list) else answers
        if "Question" in (kinds if isinstance(kinds, list) else [kinds]) and isinstance(answer, dict):
            question, text = data.get("name"), answer.get("text")
            if isinstance(question, str) and isinstance(text, str) and question.strip() and text.strip():
                yield " ".join(question.split()), text
            return
        for value in data.values():
            yield from _questions_in(value)


def _fragment_lines(html: str) -> list[str]:
    """The lines of a piece of HTML (an answer in JSON-LD), as a section's text reads it."""
    writer = _Writer()
    writer.walk(_Tree.parse(html), inside=True)
    writer.flush()
    return [line for section in writer.sections for line in section.lines]


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _content(document: _Node) -> _Node:
    """The page's main content: ``<main>``, else ``role=main``, else its only ``<article>``, else all."""
    found = _first(document, lambda n: n.tag == "main") or _first(
        document, lambda n: n.attrs.get("role") == "main"
    )
    articles = _all(document, lambda n: n.tag == "article")
    return found or (articles[0] if len(articles) == 1 else document)


def _not_content(node: _Node, inside: bool) -> bool:
    """Whether ``node`` is something other than content; ``inside``: below main, an article or a section.
    Hidden elements stay: an FAQ's answers are often hidden until their question is clicked."""
    attrs = node.attrs
    return (
        node.tag in _DROPPED
        or (node.tag in _CHROME and not inside)
        or attrs.get("role", "") in _NOT_CONTENT_ROLES
        or attrs.get("aria-modal") == "true"
        or _named_not_content(node)
        or (node.tag == "a" and attrs.get("href", "").startswith("#") and bool(_SKIP_LINK.match(_text(node))))
    )


def _named_not_content(node: _Node) -> bool:
    """A banner, dialog or trail by its id, class or label; not an element that holds the page's title or
    main content (``<div class="has-cookie-bar">`` around the whole page)."""
    named = " ".join(node.attrs.get(name, "") for name in ("id", "class", "aria-label"))
    return (
        node.tag not in ("html", "body", "main")
        and bool(_NOT_CONTENT.search(named))
        and _first(node, lambda n: n.tag in ("main", "h1") or n.attrs.get("role") == "main") is None
    )


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
        self._line = _Line()

    def walk(self, node: _Node, inside: bool) -> None:
        inside = inside or node.tag in _SECTIONING
        started = self._into
        for child in node.children:
            if isinstance(child, str):
                self._line.add(child)
            elif not _not_content(child, inside):
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

    def _element(self, node: _Node, inside: bool) -> None:
        if node.tag in _HEADINGS or node.attrs.get("role") == "heading":
            self._section(_level(node), _text(node, label=True))
        elif node.tag == "summary":
            self._section(_FOLD, _text(node, label=True))
        elif node.tag == "dl" and _asks(node):
            started = self._into
            for child in _children(node, ("dt", "dd")):
                if child.tag == "dt":
                    self._section(_FOLD, _text(child, label=True))
                else:
                    self.walk(child, inside)
                    self.flush()
            self._answered(started)
        elif node.tag in ("table", "ul", "ol", "dl"):
            self.flush()
            for line in _rows(node) if node.tag == "table" else _items(node):
                self._into.item(line)
        elif node.tag == "br":
            self._line.add(_BREAK)
        elif node.tag in _BLOCKS:
            self.flush()
            self.walk(node, inside)
            self.flush()
        else:
            self._line.boundary()
            self.walk(node, inside)
            self._line.boundary()


class _Line:
    """Text being gathered into one line: inline tags do not run sentences together ("akkoord.Ik")."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._boundary = False

    def add(self, data: str) -> None:
        data = data if data == _BREAK else data.replace(_BREAK, " ")
        if self._boundary and data[:1].isalnum() and self._parts and self._parts[-1][-1:] in ".!?:;,":
            self._parts.append(" ")
        self._parts.append(data)
        self._boundary = False

    def boundary(self) -> None:
        self._boundary = True

    def take(self) -> str:
        """The line so far (and a fresh start): line breaks read as commas between lines of an address."""
        pieces = [" ".join(p.split()) for p in "".join(self._parts).split(_BREAK)]
        self._parts, self._boundary = [], False
        text = ""
        for piece in filter(None, pieces):
            text += (" " if not text or text[-1] in ".!?:;," else ", ") + piece
        return text.strip()


def _level(heading: _Node) -> int:
    """A heading's level: ``h1``-``h6``, or ``role=heading`` with its ``aria-level`` (else 2)."""
    level = _HEADINGS.get(heading.tag) or heading.attrs.get("aria-level", "")
    return min(max(int(level), 1), 6) if str(level).isdigit() else 2


def _asks(node: _Node) -> bool:
    """Whether a definition list is an FAQ: every term a question."""
    terms = [_text(term, label=True) for term in _children(node, ("dt",))]
    return bool(terms) and all(term.endswith("?") for term in terms)


def _rows(table: _Node) -> list[str]:
    """A table's caption and rows as sentences; a first row of only ``th`` cells (or the rows in
    ``thead``) is the header, which names the values of the rows after it."""
    lines = [_text(c) for c in _children(table, ("caption",))]
    header = None
    for number, (tr, in_head) in enumerate(_table_rows(table)):
        cells = _children(tr, ("td", "th"))
        texts = [_text(cell) for cell in cells]
        if not any(texts):
            continue
        if in_head or (number == 0 and all(cell.tag == "th" for cell in cells)):
            header = texts
        else:
            lines.append(row(texts, header))
    return [line for line in lines if line]


def _table_rows(table: _Node) -> Iterator[tuple[_Node, bool]]:
    """The rows of ``table`` (not of tables in its cells), each with whether it is in ``thead``."""
    for child in _children(table, ("tr", "thead", "tbody", "tfoot")):
        if child.tag == "tr":
            yield child, False
        else:
            yield from ((tr, child.tag == "thead") for tr in _children(child, ("tr",)))


def _items(node: _Node) -> Iterator[str]:
    """A list's items, those of the lists in them after each; a definition list's terms with their
    definitions ("Balie: 8.30 - 17.00 uur")."""
    pair: list[str] = []
    for child in _children(node, ("li", "dt", "dd")):
        text = _text(child, without=("ul", "ol", "dl"))
        if child.tag == "dt" and pair:
            yield row(pair)
            pair = []
        if child.tag == "li":
            yield text
        else:
            pair.append(text)
        for inner in _children(child, ("ul", "ol", "dl")):
            yield from _items(inner)
    if pair:
        yield row(pair)


def _children(node: _Node, tags: tuple[str, ...]) -> list[_Node]:
    return [c for c in node.children if isinstance(c, _Node) and c.tag in tags]


def _text(node: _Node, without: tuple[str, ...] = (), label: bool = False) -> str:
    """The content text of ``node`` on one line (nested lists named in ``without`` left out). A
    heading's or summary's text is a ``label``: an accordion's question is the text of its button."""
    line = _Line()

    def gather(parent: _Node) -> None:
        for child in parent.children:
            if isinstance(child, str):
                line.add(child)
            elif child.tag == "br":
                line.add(_BREAK)
            elif child.tag not in without and (
                (label and child.tag == "button") or not _not_content(child, inside=True)
            ):
                apart = child.tag in _BLOCKS or child.tag in _HEADINGS
                _between(line, apart)
                gather(child)
                _between(line, apart)

    gather(node)
    return line.take()


def _between(line: _Line, apart: bool) -> None:
    """A block's tags separate words; an inline element's only where a sentence ends against it."""
    if apart:
        line.add(" ")
    else:
        line.boundary()


def _first(node: _Node, wanted: Callable[[_Node], bool]) -> _Node | None:
    return next(iter(_all(node, wanted)), None)


def _all(node: _Node, wanted: Callable[[_Node], bool]) -> list[_Node]:
    """The elements below ``node`` that are ``wanted``, in document order."""
    found: list[_Node] = []
    for child in node.children:
        if isinstance(child, _Node):
            if wanted(child):
                found.append(child)
            found.extend(_all(child, wanted))
    return found


class _Tree(HTMLParser):
    """A forgiving tree of the page: end tags left out are implied, stray ones ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {})
        self._open = [self.root]

    @classmethod
    def parse(cls, html: str) -> _Node:
        tree = cls()
        tree.feed(html)
        tree.close()
        return tree.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._imply_end(tag)
        node = _Node(tag, {name: (value or "") for name, value in attrs})
        self._open[-1].children.append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self.handle_starttag("br", [])
            return
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)

    def _imply_end(self, tag: str) -> None:
        if self._open[-1].tag == "p" and (tag in _BLOCKS or tag in _HEADINGS):
            self._open.pop()
        ends, bounds = _IMPLIED_END.get(tag, (set(), set()))
        for depth in range(len(self._open) - 1, 0, -1):
            name = self._open[depth].tag
            if name in bounds:
                return
            if name in ends:
                del self._open[depth:]
                return
