"""``voice knowledge import``'s work: which content file goes where (``prepare``), the files put in
place so that a failed or stopped import leaves the skill as it was (``placed``), and what it tells the
team afterwards (files, duplicates, examples callers would still hear)."""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import click

from ..analytics.team import Texts
from ..assistant import configured_skill
from ..config import Config
from ..errors import SkillError, VoiceError
from ..examples import example_files, examples_in_use, leftovers
from ..knowledge.content import READERS, content_files, file_notes, read_files
from ..knowledge.duplicates import Pair
from ..knowledge.entries import Entry
from ..knowledge.refresh import ids_from_questions, lost_entries, stale
from ..knowledge.reviewed import ReviewedContent, after_import, read_reviewed, reviewed_file
from .context import warn

__all__ = ["ImportPlan", "placed", "prepare", "tell_duplicates", "tell_examples", "tell_import"]

SHOWN = 20
"""Near-duplicate pairs listed by an import; more are counted."""


def tell_examples(reference: str, root: Path, language: str, config: Config, say: Texts) -> None:
    """Warn of each example callers would still hear, as ``voice check`` does: voice init's in the
    content's language, and the skill's own sample data, which its code names (a skill that does not
    load is ``voice check``'s to explain: the import needs only its files)."""
    try:
        skill = configured_skill(reference, config)
    except VoiceError:
        name, lines = root.name, leftovers(root, (language,), say)
    else:
        name, lines = skill.name, examples_in_use(skill, (language,), say)
    for line in lines:
        warn(say, f"skill {name!r}: {line}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPlan:
    """What an import does to the skill's content folder, worked out before anything is copied."""

    plan: dict[Path, Path]
    """Each content file given -> where it goes."""
    examples: list[Path]
    """The example FAQ of voice init, which the first import in its language replaces."""
    gone: list[Path]
    """Files an earlier import of a folder brought that it no longer has: removed."""
    unknown: list[Path]
    """Files written by hand in a folder imported again: named, kept."""
    new: list[tuple[Path, str]]
    """Each file given and its name in the content folder."""
    entries: tuple[Entry, ...]
    """The skill's content as the import leaves it."""
    reviewed: ReviewedContent
    dropped: Counter[str]
    """Entries lost per file replaced or removed."""
    replacing: set[Path]
    """The files given that replace a different file of their name."""


def prepare(paths: tuple[Path, ...], target: Path, say: Texts) -> ImportPlan:
    """The import of ``paths`` into ``target``, every file read: it stops here, before anything is copied,
    unless every file reads and the ids are unique across the content it leaves."""
    plan = _content_plan(paths, target, say)
    replaced = set(plan.values())
    examples = [path for path in example_files(target) if path not in replaced]
    gone, unknown = stale(paths, target, replaced)
    kept = [(path, path.relative_to(target).as_posix()) for path in content_files(target)]
    kept = [(path, source) for path, source in kept if path not in {*replaced, *examples, *gone}]
    new = [(file, dest.relative_to(target).as_posix()) for file, dest in plan.items()]
    entries = read_files([*kept, *new])  # every file reads, and ids are unique across old and new
    return ImportPlan(
        plan=plan,
        examples=examples,
        gone=gone,
        unknown=unknown,
        new=new,
        entries=entries,
        reviewed=read_reviewed(target),
        dropped=lost_entries(plan, gone, target, entries),
        replacing={
            file for file, dest in plan.items() if dest.exists() and not filecmp.cmp(dest, file, False)
        },
    )


def _content_plan(paths: tuple[Path, ...], target: Path, say: Texts) -> dict[Path, Path]:
    """Each content file of ``paths`` -> where it goes in ``target``; the files of other kinds are named,
    and none at all is a ``SkillError``."""
    plan, skipped = _destinations(paths, target, say)
    kinds = ", ".join(sorted(READERS))
    if skipped:
        names = ", ".join(f.name for f in skipped)
        click.echo(say("skipped_files", count=len(skipped), names=names, kinds=kinds))
    if not plan:
        raise SkillError(say("no_content_files", paths=", ".join(map(str, paths)), kinds=kinds))
    return plan


def tell_import(work: ImportPlan, root: Path, target: Path, say: Texts) -> None:
    """What the import removed, replaced and brought, and what it means for the reviews' additions."""
    _tell_removed(work, target, say)
    for path in work.examples:
        click.echo(say("example_removed", path=path.relative_to(target).as_posix()))
    _tell_files(work, say)
    _tell_reviews(work, reviewed_file(target).relative_to(root).as_posix(), say)


def _tell_removed(work: ImportPlan, target: Path, say: Texts) -> None:
    """Which pages the import removed (and how many entries went with them), and which files it found
    written there by hand."""
    for path in work.gone:
        click.echo(say("page_removed", path=path.relative_to(target).as_posix()))
    if work.gone:
        removed = sum(work.dropped[path.relative_to(target).as_posix()] for path in work.gone)
        click.echo(say("entries_removed", count=removed))
    for path in work.unknown:
        click.echo(say("file_by_hand", path=path.relative_to(target).as_posix(), file=path))


def _tell_reviews(work: ImportPlan, label: str, say: Texts) -> None:
    """What the reviews' additions (in ``label``) come to with the content the import leaves."""
    reviews = after_import(work.entries, work.reviewed)
    if reviews.phrasings or reviews.entries:
        click.echo(say("reviews_kept", label=label, phrasings=reviews.phrasings, entries=reviews.entries))
    for entry_id in reviews.in_content:
        click.echo(say("review_in_content", label=label, id=repr(entry_id)))
    for entry_id in reviews.unused:
        click.echo(say("review_unused", label=label, id=repr(entry_id)))


def _tell_files(work: ImportPlan, say: Texts) -> None:
    """A line per file imported: its entries, what it replaced and lost, and its own notes."""
    counts = Counter(entry.source for entry in work.entries)
    for file, source in work.new:
        lost, replaces = work.dropped[source], file in work.replacing
        shown = {"source": source, "count": counts[source], "file": file}
        click.echo(say("file_imported", replaces=replaces, lost=lost, **shown))
        if lost and ids_from_questions(work.entries, source):
            click.echo(say("ids_from_questions", source=source))
        _tell_notes(file, say)


def _tell_notes(file: Path, say: Texts) -> None:
    """What the import found in a CSV file besides its entries: its encoding, the columns left out."""
    found = file_notes(file)
    for line in found.told(say) if found else ():
        click.echo(line)


def _destinations(paths: tuple[Path, ...], target: Path, say: Texts) -> tuple[dict[Path, Path], list[Path]]:
    """Each content file to import -> where it goes in ``target`` (a file already there stays put), and
    the files of a kind not read (a PDF, a Word file); two files that would land on the same name are
    refused."""
    plan: dict[Path, Path] = {}
    taken: dict[Path, Path] = {}
    skipped: list[Path] = []
    for given in paths:
        if given.is_dir():
            base = given.resolve()
            found = [f for f in sorted(base.rglob("*")) if not _hidden(f.relative_to(base))]
            pairs = [(f, target / base.name / f.relative_to(base)) for f in found]
        else:
            pairs = [(given.resolve(), target / given.name)]
        for file, dest in pairs:
            if not file.is_file() or file in plan:
                continue
            if file.suffix.lower() not in READERS:
                skipped.append(file)
                continue
            if file.is_relative_to(target.resolve()):
                dest = target / file.relative_to(target.resolve())  # already in the skill: stays
            if dest in taken:
                raise SkillError(say("same_destination", first=taken[dest], second=file, path=dest))
            plan[file] = taken[dest] = dest
    return plan, skipped


@contextmanager
def placed(plan: dict[Path, Path], removed: list[Path], target: Path) -> Iterator[None]:
    """The files of ``plan`` copied into place and ``removed`` gone while the body runs (the index is
    built from the folder); if it fails or is stopped (Ctrl-C), the folder is put back as it was: the
    files it replaced or removed (kept aside meanwhile) back, the new ones and their new folders gone."""
    made = [folder for folder in reversed(target.parents) if not folder.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}-import-", dir=target.parent))
    moved: list[tuple[Path, Path]] = []
    added: list[Path] = []
    try:
        for number, path in enumerate([*(d for f, d in plan.items() if not _same(f, d)), *removed]):
            if path.exists():
                moved.append((path, aside / str(number)))
                os.replace(path, aside / str(number))
        for file, dest in plan.items():
            if _same(file, dest):
                continue
            made += [folder for folder in reversed(dest.parents) if not folder.exists()]
            dest.parent.mkdir(parents=True, exist_ok=True)
            added.append(dest)
            shutil.copy2(file, dest)
        yield
    except BaseException:
        for dest in added:
            dest.unlink(missing_ok=True)
        for path, kept in moved:
            os.replace(kept, path)
        shutil.rmtree(aside, ignore_errors=True)
        for folder in reversed(made):
            with suppress(OSError):  # not empty: something else wrote there meanwhile, which stays
                folder.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _same(file: Path, dest: Path) -> bool:
    return dest.exists() and dest.samefile(file)


def tell_duplicates(pairs: list[Pair], say: Texts) -> None:
    """The near-duplicate questions with different answers, for the team to clean (at most ``SHOWN``)."""
    if not pairs:
        return
    click.echo(say("duplicates", count=len(pairs)))
    for pair in pairs[:SHOWN]:
        click.echo(f"  {_named(pair.first)}  ~  {_named(pair.second)}")
    if len(pairs) > SHOWN:
        click.echo(f"  {say('more', count=len(pairs) - SHOWN)}")


def _named(entry: Entry) -> str:
    return f"{entry.title!r} [{entry.source}]"


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
