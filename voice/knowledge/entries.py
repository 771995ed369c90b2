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
    context: str = ""
    """What a page passage's ``title`` puts in front of its heading ("Garantie en reparatie"): the page's
    title and the parent heading; empty for FAQ entries."""

    @property
    def heading(self) -> str:
        """The title without its context: the FAQ question, or the passage's own heading ("hoe lang heb ik
        garantie?"), as a caller asks it."""
        return self.title.removeprefix(f"{self.context}: ") if self.context else self.title

    @property
    def offered(self) -> str:
        """The title as "Bedoelt u: ...?" says it. After that colon a title's own ("Garantie en reparatie:
        hoe lang heb ik garantie?") makes two, so a heading that is a question is said alone, as a caller
        asks it, and another one after its context and a comma ("Paspoort en ID-kaart, kosten")."""
        heading = self.heading
        if heading == self.title or heading.endswith("?"):
            return heading
        return f"{self.context}, {heading}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        return cls(**{**data, "phrasings": tuple(data.get("phrasings", ()))})
