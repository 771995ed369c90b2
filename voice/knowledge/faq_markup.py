"""The questions an FAQ page marks up: a definition list of questions, and the schema.org data
(JSON-LD ``FAQPage``, ``QAPage``) that search engines read, for questions the page's HTML does not show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .html_text import element_text
from .html_tree import Node, child_elements, elements

__all__ = ["asks_questions", "structured_questions"]


def asks_questions(node: Node) -> bool:
    """Whether a definition list is an FAQ: every term a question."""
    terms = [element_text(term, label=True) for term in child_elements(node, ("dt",))]
    return bool(terms) and all(term.endswith("?") for term in terms)


def structured_questions(document: Node) -> Iterator[tuple[str, str]]:
    """The questions and answers (HTML) of the page's schema.org data (``FAQPage``, ``QAPage``) in
    ``<script type="application/ld+json">``, wherever they are in it; data that does not read is none."""
    for script in elements(document, lambda n: n.tag == "script"):
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
