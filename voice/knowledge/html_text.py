"""What on an HTML page is content, and an element's text on one line.

A page read whole gives callers its cookie banner as an answer ("Deze website gebruikt cookies ...
Accepteren Weigeren"). So everything that is not content is left out wherever it is: consent dialogs,
navigation, asides, forms and buttons, skip links, and the site's header and footer.
"""

from __future__ import annotations

import re

from .html_tree import BLOCKS, HEADINGS, Node, first_element

__all__ = ["BREAK", "Line", "element_text", "not_content"]

_DROPPED_ELEMENTS = """script style head title nav aside button form dialog noscript template svg select
textarea iframe object canvas audio video map"""
_DROPPED = frozenset(_DROPPED_ELEMENTS.split())
_CHROME = frozenset({"header", "footer"})
"""The site's banner and footer: dropped, except inside the content (an article's own header)."""
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
BREAK = "\u2028"
"""A ``<br>`` in a line being gathered."""


def not_content(node: Node, inside: bool) -> bool:
    """Whether ``node`` is something other than content; ``inside``: below main, an article or a section.
    Hidden elements stay: an FAQ's answers are often hidden until their question is clicked."""
    attrs = node.attrs
    return (
        node.tag in _DROPPED
        or (node.tag in _CHROME and not inside)
        or attrs.get("role", "") in _NOT_CONTENT_ROLES
        or attrs.get("aria-modal") == "true"
        or _named_not_content(node)
        or (
            node.tag == "a"
            and attrs.get("href", "").startswith("#")
            and bool(_SKIP_LINK.match(element_text(node)))
        )
    )


def _named_not_content(node: Node) -> bool:
    """A banner, dialog or trail by its id, class or label; not an element that holds the page's title or
    main content (``<div class="has-cookie-bar">`` around the whole page)."""
    named = " ".join(node.attrs.get(name, "") for name in ("id", "class", "aria-label"))
    return (
        node.tag not in ("html", "body", "main")
        and bool(_NOT_CONTENT.search(named))
        and first_element(node, lambda n: n.tag in ("main", "h1") or n.attrs.get("role") == "main") is None
    )


class Line:
    """Text being gathered into one line: inline tags do not run sentences together ("akkoord.Ik")."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._boundary = False

    def add(self, data: str) -> None:
        data = data if data == BREAK else data.replace(BREAK, " ")
        if self._boundary and data[:1].isalnum() and self._parts and self._parts[-1][-1:] in ".!?:;,":
            self._parts.append(" ")
        self._parts.append(data)
        self._boundary = False

    def boundary(self) -> None:
        self._boundary = True

    def take(self) -> str:
        """The line so far (and a fresh start): line breaks read as commas between lines of an address."""
        pieces = [" ".join(p.split()) for p in "".join(self._parts).split(BREAK)]
        self._parts, self._boundary = [], False
        text = ""
        for piece in filter(None, pieces):
            text += (" " if not text or text[-1] in ".!?:;," else ", ") + piece
        return text.strip()


def element_text(node: Node, without: tuple[str, ...] = (), label: bool = False) -> str:
    """The content text of ``node`` on one line (nested lists named in ``without`` left out). A
    heading's or summary's text is a ``label``: an accordion's question is the text of its button."""
    line = Line()

    def gather(parent: Node) -> None:
        for child in parent.children:
            if isinstance(child, str):
                line.add(child)
            elif child.tag == "br":
                line.add(BREAK)
            elif child.tag not in without and (
                (label and child.tag == "button") or not not_content(child, inside=True)
            ):
                apart = child.tag in BLOCKS or child.tag in HEADINGS
                _between(line, apart)
                gather(child)
                _between(line, apart)

    gather(node)
    return line.take()


def _between(line: Line, apart: bool) -> None:
    """A block's tags separate words; an inline element's only where a sentence ends against it."""
    if apart:
        line.add(" ")
    else:
        line.boundary()
