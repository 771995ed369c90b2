"""An HTML page as a tree of elements, parsed forgivingly: end tags left out are implied, stray ones ignored.

Pages leave out ``</li>``, ``</td>``, ``</tr>`` and ``</p>`` as HTML allows; the tree closes them where
a browser would, so a list's items and a table's rows are siblings, not nested in each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["BLOCKS", "HEADINGS", "Node", "child_elements", "elements", "first_element", "parse_html"]

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_VOID_ELEMENTS = "area base br col embed hr img input link meta param source track wbr"
_VOID = frozenset(_VOID_ELEMENTS.split())
_BLOCK_ELEMENTS = """address article blockquote body caption center dd details div dl dt fieldset
figcaption figure footer header hgroup hr html li main ol p pre section summary table tbody td tfoot th
thead tr ul"""
BLOCKS = frozenset(_BLOCK_ELEMENTS.split())
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


@dataclass(slots=True)
class Node:
    """An element: its tag, its attributes and its children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)


def parse_html(html: str) -> Node:
    """The tree of ``html``, below a ``#document`` node."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def child_elements(node: Node, tags: tuple[str, ...]) -> list[Node]:
    return [c for c in node.children if isinstance(c, Node) and c.tag in tags]


def first_element(node: Node, wanted: Callable[[Node], bool]) -> Node | None:
    return next(iter(elements(node, wanted)), None)


def elements(node: Node, wanted: Callable[[Node], bool]) -> list[Node]:
    """The elements below ``node`` that are ``wanted``, in document order."""
    found: list[Node] = []
    for child in node.children:
        if isinstance(child, Node):
            if wanted(child):
                found.append(child)
            found.extend(elements(child, wanted))
    return found


class _Tree(HTMLParser):
    """A forgiving tree of the page: end tags left out are implied, stray ones ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._imply_end(tag)
        node = Node(tag, {name: (value or "") for name, value in attrs})
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
        if self._open[-1].tag == "p" and (tag in BLOCKS or tag in HEADINGS):
            self._open.pop()
        ends, bounds = _IMPLIED_END.get(tag, (set(), set()))
        for depth in range(len(self._open) - 1, 0, -1):
            name = self._open[depth].tag
            if name in bounds:
                return
            if name in ends:
                del self._open[depth:]
                return
