"""What reviews add to a skill's FAQ, kept apart from its content: ``knowledge/reviewed/<lang>.yaml``.

A team imports its own FAQ file again and again (``voice knowledge import`` replaces the skill's copy
with it); what reviewers added from callers' words (``voice review``, the dashboard) must outlive that,
so it is not written into the team's file but into this one, which ``load_content`` reads with the
content:

- ``phrasings``: entry id -> phrasings callers used, added to that entry whichever file holds it;
- ``entries``: FAQ entries made from questions the assistant could not answer.

An entry of the content with the id of one made here wins (the team took it into its own file) and
still gets the reviewed phrasings; phrasings of an id that no entry has are not used, and the import
says so (``after_import``).
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import SkillError
from ..strict_yaml import UniqueKeyLoader
from .entries import Entry
from .faq import faq_entry, invalid_yaml

__all__ = [
    "ReviewedContent",
    "ReviewsAfterImport",
    "add_reviewed_entry",
    "add_reviewed_phrasing",
    "after_import",
    "read_reviewed",
    "reviewed_file",
    "with_reviewed",
]

HEADER = (
    "# What reviews added to this skill's FAQ (voice review, the dashboard): phrasings callers used, by\n"
    "# entry id, and new entries. Kept apart from the content that `voice knowledge import` replaces and\n"
    "# read with it (docs/knowledge.md). You may edit it; the next review rewrites it without comments.\n"
)
KEYS = ("phrasings", "entries")


@dataclass(frozen=True, slots=True)
class ReviewedContent:
    """The reviews' additions for one skill and language."""

    phrasings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Entry id -> phrasings added to it, in the order they were added."""
    entries: tuple[Entry, ...] = ()
    """FAQ entries made by reviews."""


def reviewed_file(folder: Path) -> Path:
    """The reviews' file of the content folder ``knowledge/<lang>`` (beside it, so an import of a folder
    never lands on it)."""
    return folder.parent / "reviewed" / f"{folder.name}.yaml"


def read_reviewed(folder: Path) -> ReviewedContent:
    """The reviews' additions to the content in ``folder`` (none without a file); a file that cannot be
    read raises ``SkillError`` saying what to fix."""
    path = reviewed_file(folder)
    if not path.is_file():
        return ReviewedContent()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise invalid_yaml(path, exc) from exc
    data = {} if data is None else data
    if not isinstance(data, dict) or set(data) - set(KEYS):
        raise SkillError.said("reviewed_keys", path=path)
    source = f"../reviewed/{path.name}"
    entries = [
        faq_entry(raw, path, source, number) for number, raw in enumerate(data.get("entries") or [], 1)
    ]
    return ReviewedContent(_phrasings(data.get("phrasings") or {}, path), tuple(entries))


def with_reviewed(content: tuple[Entry, ...], reviewed: ReviewedContent) -> tuple[Entry, ...]:
    """The content's entries and the reviews' new ones (the content's win an id both have), each with
    its reviewed phrasings added (those it has already, in any case, are not added twice)."""
    ids = {entry.id for entry in content}
    entries = (*content, *(entry for entry in reviewed.entries if entry.id not in ids))
    return tuple(_with_phrasings(entry, reviewed.phrasings.get(entry.id, ())) for entry in entries)


def add_reviewed_phrasing(folder: Path, entry_id: str, phrasing: str) -> Path:
    """Keep ``phrasing`` as a phrasing of entry ``entry_id``; the file written."""
    with _changing(folder):
        reviewed = read_reviewed(folder)
        phrasings = {**reviewed.phrasings}
        phrasings[entry_id] = (*phrasings.get(entry_id, ()), phrasing)
        return _write(folder, ReviewedContent(phrasings, reviewed.entries))


def add_reviewed_entry(folder: Path, entry: Entry) -> Path:
    """Keep ``entry`` as a new FAQ entry; the file written."""
    with _changing(folder):
        reviewed = read_reviewed(folder)
        return _write(folder, ReviewedContent(reviewed.phrasings, (*reviewed.entries, entry)))


@contextmanager
def _changing(folder: Path) -> Iterator[None]:
    """Held while one review reads and writes the file: two reviewers (threads or workers of a server)
    at once would otherwise each write the file without the other's addition."""
    path = reviewed_file(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("a") as lock:  # closing it releases the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@dataclass(frozen=True, slots=True)
class ReviewsAfterImport:
    """What the reviews' additions come to with the content an import leaves; the command says it."""

    phrasings: int
    """Phrasings kept: their entry is still there."""
    entries: int
    """Entries a review made that the content does not have: kept and answered."""
    in_content: tuple[str, ...]
    """Ids of entries a review made that the content has now (the content's is answered)."""
    unused: tuple[str, ...]
    """Ids that reviews added phrasings to and no entry has now."""


def after_import(content: tuple[Entry, ...], reviewed: ReviewedContent) -> ReviewsAfterImport:
    """The reviews' additions to the content an import leaves: how many are kept, and those that no
    longer apply."""
    ids = {entry.id for entry in content}
    entries = [entry for entry in reviewed.entries if entry.id not in ids]
    known = ids | {entry.id for entry in entries}
    return ReviewsAfterImport(
        phrasings=sum(len(found) for entry_id, found in reviewed.phrasings.items() if entry_id in known),
        entries=len(entries),
        in_content=tuple(entry.id for entry in reviewed.entries if entry.id in ids),
        unused=tuple(entry_id for entry_id in reviewed.phrasings if entry_id not in known),
    )


def _phrasings(raw: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or not all(
        isinstance(entry_id, str) and isinstance(listed, list) and all(isinstance(p, str) for p in listed)
        for entry_id, listed in raw.items()
    ):
        raise SkillError.said("reviewed_phrasings", path=path)
    return {entry_id: tuple(" ".join(p.split()) for p in listed) for entry_id, listed in raw.items()}


def _with_phrasings(entry: Entry, added: tuple[str, ...]) -> Entry:
    have = {_words(phrasing) for phrasing in (entry.title, *entry.phrasings)}
    new = tuple(dict.fromkeys(phrasing for phrasing in added if _words(phrasing) not in have))
    return Entry(**{**entry.to_dict(), "phrasings": (*entry.phrasings, *new)}) if new else entry


def _words(text: str) -> str:
    """``text`` as reviews compare phrasings: lower case, words only."""
    return " ".join(re.sub(r"[^\w'\s]", " ", text.lower()).split())


def _write(folder: Path, reviewed: ReviewedContent) -> Path:
    """Write the whole file beside it and rename it into place: a reader sees the old or the new one."""
    path = reviewed_file(folder)
    data: dict[str, Any] = {
        "phrasings": {entry_id: list(found) for entry_id, found in reviewed.phrasings.items()},
        "entries": [_fields(entry) for entry in reviewed.entries],
    }
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def _fields(entry: Entry) -> dict[str, Any]:
    """An entry as an FAQ file writes it (empty fields left out)."""
    fields = {
        "id": entry.id,
        "question": entry.title,
        "phrasings": list(entry.phrasings),
        "answer": entry.text,
        "short": entry.short,
        "link": entry.link,
    }
    return {name: value for name, value in fields.items() if value}
