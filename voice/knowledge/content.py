"""A skill's content for one language: every file in ``<skill>/knowledge/<lang>/`` read into entries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import ConfigError, SkillError
from .entries import Entry
from .faq import CsvFindings, csv_findings, read_csv, read_yaml
from .pages import read_html, read_markdown, read_text
from .reviewed import read_reviewed, with_reviewed

READERS: dict[str, Callable[[Path, str], list[Entry]]] = {
    ".yaml": read_yaml,
    ".yml": read_yaml,
    ".csv": read_csv,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".txt": read_text,
}
"""What each kind of content file is read with, by suffix."""
LEXICON = Path(__file__).parent / "lexicon"
"""One word list per language the engine analyses (``<lang>.yaml``)."""


def languages() -> tuple[str, ...]:
    """The languages the engine can index: those with a lexicon."""
    return tuple(sorted(path.stem for path in LEXICON.glob("*.yaml")))


def check_language(language: str) -> None:
    """Raise ``ConfigError`` unless the engine has a lexicon for ``language`` (reads no word list)."""
    if language not in languages():
        raise ConfigError.said("no_lexicon", language=repr(language), known=", ".join(languages()))


def content_folder(skill_root: Path, language: str) -> Path:
    """Where a skill keeps its content for ``language``."""
    return skill_root / "knowledge" / language


def content_files(folder: Path) -> list[Path]:
    """The content files in ``folder``, sorted, ignoring hidden files and other suffixes."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in READERS and not _hidden(p, folder)
    )


def read_file(path: Path, source: str | None = None) -> list[Entry]:
    """The entries of one content file; a bad file raises ``SkillError`` saying what to fix."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SkillError.said("content_unknown_kind", path=path, kinds=", ".join(sorted(READERS)))
    if not path.is_file():
        raise SkillError.said("content_missing", path=path)
    return reader(path, source or path.name)


def file_notes(path: Path) -> CsvFindings | None:
    """What an import says about a file it read besides its entries: a CSV's encoding, its columns left
    out (None: nothing to say of a file of another kind)."""
    return csv_findings(path) if path.suffix.lower() == ".csv" else None


def load_content(folder: Path) -> tuple[Entry, ...]:
    """Every entry in ``folder`` (ids must be unique across its files), with what reviews added to it
    (``voice.knowledge.reviewed``)."""
    content = read_files((path, path.relative_to(folder).as_posix()) for path in content_files(folder))
    return with_reviewed(content, read_reviewed(folder))


def has_content(folder: Path) -> bool:
    """Whether there is anything to answer from: a content file, or entries a review made."""
    return bool(content_files(folder)) or bool(read_reviewed(folder).entries)


def read_files(files: Iterable[tuple[Path, str]]) -> tuple[Entry, ...]:
    """The entries of (file, source name) pairs, in order; a bad file, or an id two entries share,
    raises ``SkillError`` naming the file and the fix."""
    entries: list[Entry] = []
    where: dict[str, str] = {}
    for path, source in files:
        for entry in read_file(path, source):
            if entry.id in where:
                shown = {"title": repr(entry.title), "id": repr(entry.id), "other": where[entry.id]}
                raise SkillError.said("content_same_id", path=path, **shown)
            where[entry.id] = entry.source
            entries.append(entry)
    return tuple(entries)


def question_phrases(skill_root: Path, language: str) -> tuple[str, ...]:
    """What callers say to ask the skill's content in ``language``: every FAQ question and phrasing
    (a page passage's heading too, without the page's title and parent heading in front: a caller asks
    "hoe lang heb ik garantie", not "garantie en reparatie hoe lang heb ik garantie"), distinct, in
    content order; empty without content."""
    entries = load_content(content_folder(skill_root, language))
    found = (text.strip() for entry in entries for text in (entry.heading, *entry.phrasings))
    return tuple(dict.fromkeys(text for text in found if text))


def _hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts)
