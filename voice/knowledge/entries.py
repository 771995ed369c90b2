"""What the knowledge base answers from: one ``Entry`` per FAQ question or page passage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One answerable piece of content: an FAQ question with its answer, or a passage of a page."""

    id: str
    """Unique within a skill and language; FAQ files set it, pages derive it from file and heading."""
    title: str
    """The FAQ question, or the page heading the passage sits under."""
    text: str
    """The full answer or passage, plain text."""
    phrasings: tuple[str, ...] = ()
    """Other ways callers ask the FAQ question."""
    short: str = ""
    """The spoken answer the content gives; empty: the first sentences of ``text``."""
    link: str = ""
    source: str = ""
    """The content file it came from, relative to the skill's knowledge folder."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        return cls(**{**data, "phrasings": tuple(data.get("phrasings", ()))})
