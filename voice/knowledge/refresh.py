"""A folder imported again: which files an earlier import of it brought, and which of those are gone.

Each import writes, in the skill's copy of a folder, the files it brought (``IMPORTED``); the next import
of a folder of that name removes those it no longer brings (a page deleted from the site) and names, but
keeps, files written there by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import suppress
from pathlib import Path

from ..errors import SkillError
from .content import content_files, read_file
from .entries import Entry
from .faq import slug

IMPORTED = ".imported.json"
"""In the skill's copy of a folder imported: the files that import brought, so the next import of a
folder of that name removes those it no longer brings (a page deleted from the site) and leaves files
written there by hand."""


def stale(paths: tuple[Path, ...], target: Path, placed: set[Path]) -> tuple[list[Path], list[Path]]:
    """Files in the place of a folder imported again that it does not bring: those an earlier import of
    it brought (a page deleted from the site), to remove, and the others (written there by hand), to
    name and keep."""
    gone: list[Path] = []
    unknown: list[Path] = []
    for folder in _imported_folders(paths, target):
        brought = _brought(folder)
        for path in sorted(set(content_files(folder)) - placed):
            (gone if path.relative_to(folder).as_posix() in brought else unknown).append(path)
    return gone, unknown


def _imported_folders(paths: tuple[Path, ...], target: Path) -> list[Path]:
    """Where the folders among ``paths`` land in ``target`` (not those already in the skill)."""
    folders = [given.resolve() for given in paths if given.is_dir()]
    return [target / folder.name for folder in folders if not folder.is_relative_to(target.resolve())]


def _brought(folder: Path) -> set[str]:
    """The files (paths in ``folder``) the last import of the folder brought; none when it has no record
    (imported before imports kept one, or not imported) or the record does not read."""
    try:
        files = json.loads((folder / IMPORTED).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {name for name in files if isinstance(name, str)}


def record(paths: tuple[Path, ...], target: Path, placed: set[Path]) -> None:
    """Write down, in each folder's copy, the files this import brought (``IMPORTED``)."""
    for folder in _imported_folders(paths, target):
        if not folder.is_dir():  # the folder brought no content file
            continue
        files = sorted(path.relative_to(folder).as_posix() for path in placed if path.is_relative_to(folder))
        (folder / IMPORTED).write_text(json.dumps({"files": files}, indent=1) + "\n", encoding="utf-8")


def prune(removed: list[Path], target: Path) -> None:
    """The folders the removed pages leave empty, gone too (a section deleted from the site)."""
    for path in removed:
        for folder in path.parents:
            if folder == target:
                break
            with suppress(OSError):  # not empty: other pages, or the import's record, stay
                folder.rmdir()


def lost_entries(
    plan: dict[Path, Path], gone: list[Path], target: Path, entries: tuple[Entry, ...]
) -> Counter[str]:
    """Per file of the skill the import replaces or removes (by its name in ``target``): how many of its
    entries the content no longer has."""
    now = {entry.id for entry in entries}
    before = [*(dest for dest in plan.values() if dest.exists()), *gone]
    names = [path.relative_to(target).as_posix() for path in before]
    return Counter({name: len(_ids(path, name) - now) for path, name in zip(before, names, strict=True)})


def _ids(path: Path, source: str) -> set[str]:
    """The entry ids of the content file ``source`` already in the skill; none when it no longer reads (a
    file the import replaces or removes need not)."""
    try:
        return {entry.id for entry in read_file(path, source)}
    except SkillError:
        return set()


def ids_from_questions(entries: tuple[Entry, ...], source: str) -> bool:
    """Whether an FAQ entry of ``source`` has the id made from its question (no id column or field; a
    page passage's id has its page's path in front)."""
    return any(entry.id == slug(entry.title) for entry in entries if entry.source == source)
