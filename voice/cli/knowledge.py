"""``voice knowledge``: import content, ask a question, evaluate. Registered in the CLI as a click group;
each command takes ``--config`` (or the group's), whose project's skills folder it finds the skill in."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import click

from ..assistant import configured_skill
from ..config import LOCALE_DEFAULT, Config, skills_folder
from ..errors import SkillError, VoiceError
from ..examples import example_files, examples_in_use, leftovers
from ..knowledge.base import KnowledgeBase
from ..knowledge.content import READERS, check_language, content_files, content_folder, file_notes, read_files
from ..knowledge.duplicates import Pair
from ..knowledge.entries import Entry
from ..knowledge.evaluation import EvalSet, Report, evaluate
from ..knowledge.refresh import ids_from_questions, lost_entries, prune, record, stale, tell_removed
from ..knowledge.reviewed import ReviewedContent, import_notes, read_reviewed, reviewed_file
from ..knowledge.vectors import Progress
from ..language import language_of
from ..skill_loading import skill_folder
from .context import CliContext, config_option, counted, given_or_default_locale, pass_context

SLOW_TEXTS = 10_000
"""Texts to embed above which the import warns that it takes minutes."""
TEXTS_PER_MINUTE = 4_000
"""Roughly what the model embeds on two cores: 5,000 short passages a minute alone (``vectors``), 800
short FAQ questions and answers in 21 s with the cores shared with other work."""
SHOWN = 20
"""Near-duplicate pairs listed by an import; more are counted."""


def skill_root(reference: str, config: Config) -> Path:
    """A skill's folder, found as every command finds a skill (``skill_folder``), in the project of the
    config file (``--config``)."""
    return skill_folder(reference, skills_folder(config))


def _content_language(locale: str) -> str:
    """The language of the content for ``locale`` (``nl-NL`` -> ``nl``), as chat and the webhooks read a
    locale; ``ConfigError`` when the engine has no lexicon for it."""
    language = language_of(locale)
    check_language(language)
    return language


@click.group("knowledge")
def knowledge() -> None:
    """Answers from the organisation's own content (FAQ, pages) -- see docs/knowledge.md."""


@knowledge.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--skill", "skill", default="customer_service", show_default=True, help="Skill name or folder.")
@click.option(
    "-l",
    "--language",
    callback=given_or_default_locale,
    help=f"Language of the content, like nl or en (nl-NL reads as nl); {LOCALE_DEFAULT}.",
)
@config_option
@pass_context
def import_(context: CliContext, paths: tuple[Path, ...], skill: str, language: str) -> None:
    """Check content files, copy them into the skill and rebuild its index.

    A file lands as knowledge/LANG/<its name>, a folder's files as knowledge/LANG/<folder>/<path in it>;
    a file of that name is replaced. A folder imported again makes its copy match it: a file an earlier
    import of it brought and it no longer has (a page deleted from the site) is removed, one written
    there by hand is named (still answered until deleted). The example FAQ of voice init goes with the
    first import in its language. What reviews added (knowledge/reviewed/LANG.yaml) is not touched and
    still answered. Nothing is copied unless every file reads and the skill's content with them has
    unique ids; an import stopped while the index is built (Ctrl-C) leaves the skill as it was.
    """
    language = _content_language(language)
    root = skill_root(skill, context.config)
    target = content_folder(root, language)
    work = _prepare(paths, target)
    with placed(work.plan, [*work.examples, *work.gone], target):
        kb = KnowledgeBase.load(root, language, progress=_progress(sys.stderr.isatty()))
    record(paths, target, set(work.plan.values()))
    prune(work.gone, target)
    _tell_import(work, root, target)
    _tell_duplicates(kb.near_duplicates())
    _tell_examples(skill, root, language, context.config)
    if kb.built is None:
        click.echo(f"index of {len(kb.entries)} entries unchanged: {kb.index_dir}")
    else:
        click.echo(f"index of {len(kb.entries)} entries built in {kb.built:.2f} s: {kb.index_dir}")


def _tell_examples(reference: str, root: Path, language: str, config: Config) -> None:
    """Warn of each example callers would still hear, as ``voice check`` does: voice init's in the
    content's language, and the skill's own sample data, which its code names (a skill that does not
    load is ``voice check``'s to explain: the import needs only its files)."""
    try:
        skill = configured_skill(reference, config)
    except VoiceError:
        name, lines = root.name, leftovers(root, (language,))
    else:
        name, lines = skill.name, examples_in_use(skill, (language,))
    for line in lines:
        click.echo(f"warning: skill {name!r}: {line}", err=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Import:
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


def _prepare(paths: tuple[Path, ...], target: Path) -> _Import:
    """The import of ``paths`` into ``target``, every file read: it stops here, before anything is copied,
    unless every file reads and the ids are unique across the content it leaves."""
    plan = _content_plan(paths, target)
    replaced = set(plan.values())
    examples = [path for path in example_files(target) if path not in replaced]
    gone, unknown = stale(paths, target, replaced)
    kept = [(path, path.relative_to(target).as_posix()) for path in content_files(target)]
    kept = [(path, source) for path, source in kept if path not in {*replaced, *examples, *gone}]
    new = [(file, dest.relative_to(target).as_posix()) for file, dest in plan.items()]
    entries = read_files([*kept, *new])  # every file reads, and ids are unique across old and new
    return _Import(
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


def _content_plan(paths: tuple[Path, ...], target: Path) -> dict[Path, Path]:
    """Each content file of ``paths`` -> where it goes in ``target``; the files of other kinds are named,
    and none at all is a ``SkillError``."""
    plan, skipped = _destinations(paths, target)
    if skipped:
        click.echo(
            f"skipped {len(skipped)} files of a kind not read ({', '.join(f.name for f in skipped)}); "
            f"content files are {', '.join(sorted(READERS))}"
        )
    if not plan:
        raise SkillError(
            f"no content files in {', '.join(map(str, paths))}; use {', '.join(sorted(READERS))}."
        )
    return plan


def _tell_import(work: _Import, root: Path, target: Path) -> None:
    """What the import removed, replaced and brought, and what it means for the reviews' additions."""
    tell_removed(work.gone, work.unknown, work.dropped, target)
    for path in work.examples:
        example = path.relative_to(target).as_posix()
        click.echo(f"{example}: the example FAQ of voice init, removed: your content replaces it")
    _tell_files(work.new, work.replacing, work.dropped, work.entries)
    label = reviewed_file(target).relative_to(root).as_posix()
    for note in import_notes(work.entries, work.reviewed, label):
        click.echo(note)


def _tell_files(
    new: list[tuple[Path, str]], replacing: set[Path], dropped: Counter[str], entries: tuple[Entry, ...]
) -> None:
    """A line per file imported: its entries, what it replaced and lost, and its own notes."""
    counts = Counter(entry.source for entry in entries)
    for file, source in new:
        replaced_note = "; it replaces the file of that name" if file in replacing else ""
        if dropped[source]:
            had = dropped[source]
            replaced_note += (
                ", and 1 entry that file had is gone"
                if had == 1
                else f", and {had} entries that file had are gone"
            )
        click.echo(f"{source}: {counts[source]} entries (from {file}{replaced_note})")
        if dropped[source] and ids_from_questions(entries, source):
            click.echo(
                f"{source}: an id made from a question changes when the question is reworded, and "
                "evaluation sets and reviews then miss it; an id column (or id field) keeps it"
            )
        for note in file_notes(file):
            click.echo(note)


def _destinations(paths: tuple[Path, ...], target: Path) -> tuple[dict[Path, Path], list[Path]]:
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
                raise SkillError(
                    f"{taken[dest]} and {file} would both be copied to {dest}; rename one, "
                    "or import the folders that hold them."
                )
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


def _progress(terminal: bool) -> Progress:
    """What the import shows while it embeds: a warning when that will take minutes, and (on a
    terminal) how far it is."""

    def show(done: int, total: int) -> None:
        if done == 0 and total >= SLOW_TEXTS:
            minutes = max(1, round(total / TEXTS_PER_MINUTE))
            click.echo(
                f"embedding {total:,} texts takes about {minutes} minutes here; Ctrl-C stops it and leaves "
                "the skill as it was",
                err=True,
            )
        if terminal:
            click.echo(f"\rembedding {done:,} of {total:,} texts", nl=done == total, err=True)

    return show


def _tell_duplicates(pairs: list[Pair]) -> None:
    """The near-duplicate questions with different answers, for the team to clean (at most ``SHOWN``)."""
    if not pairs:
        return
    counted = "1 pair of entries asks" if len(pairs) == 1 else f"{len(pairs)} pairs of entries ask"
    click.echo(
        f"{counted} the same question with different answers (a caller gets either one): "
        "check that they agree, or keep one"
    )
    for pair in pairs[:SHOWN]:
        click.echo(f"  {_named(pair.first)}  ~  {_named(pair.second)}")
    if len(pairs) > SHOWN:
        click.echo(f"  ({len(pairs) - SHOWN} more)")


def _named(entry: Entry) -> str:
    return f"{entry.title!r} [{entry.source}]"


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


@knowledge.command("ask")
@click.argument("question")
@click.option("--skill", "skill", default="customer_service", show_default=True, help="Skill name or folder.")
@click.option(
    "-l",
    "--language",
    callback=given_or_default_locale,
    help=f"Language of the question, like nl or en (nl-NL reads as nl); {LOCALE_DEFAULT}.",
)
@config_option
@pass_context
def ask(context: CliContext, question: str, skill: str, language: str) -> None:
    """Print the decision for QUESTION, with the answer, its source and its scores."""
    language = _content_language(language)
    decision = KnowledgeBase.load(skill_root(skill, context.config), language).ask(question)
    click.echo(f"{decision.kind.value}: {decision.reason}")
    for number, candidate in enumerate(decision.candidates, start=1):
        similarity = "-" if candidate.similarity is None else f"{candidate.similarity:.3f}"
        click.echo(
            f"{number}. {candidate.title} [{candidate.id}, {candidate.source}] score {candidate.score:.2f} "
            f"(keywords {candidate.keyword_score:.2f}, similarity {similarity})"
        )
        click.echo(f"   says: {candidate.spoken}")
        if candidate.link:
            click.echo(f"   link: {candidate.link}")


@knowledge.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skill", "skill", default=None, help="Skill name or folder (default: the file's skill).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the figures as one JSON line (-v: with the misses)."
)
@click.option("-v", "--verbose", is_flag=True, help="List the questions that went wrong or were guessed at.")
@config_option
@pass_context
def eval_(context: CliContext, file: Path, skill: str | None, as_json: bool, verbose: bool) -> None:
    """Top-1 accuracy, confirm, abstain and false-answer rates on an evaluation FILE."""
    evalset = EvalSet.from_file(file)
    language = _content_language(evalset.language)
    reference = skill or evalset.skill
    if not reference:
        raise SkillError(f"{file} names no skill; add 'skill: NAME' or pass --skill.")
    report = evaluate(KnowledgeBase.load(skill_root(reference, context.config), language), evalset)
    if as_json:
        click.echo(json.dumps(report.to_dict(misses=verbose)))
        return
    click.echo(
        f"{report.language}: {report.questions} questions, {report.out_of_scope} out of scope\n"
        f"top-1 accuracy   {report.top1:.3f}\n"
        f"answered right   {report.answered_right:.3f}\n"
        f"confirm rate     {report.confirm_rate:.3f} (right entry offered: {report.confirm_right:.3f})\n"
        f"  in scope       {report.confirm_in_scope:.3f}\n"
        f"  out of scope   {report.out_of_scope_guessed:.3f} (offered a guess instead of the fallback)\n"
        f"abstain rate     {report.abstain_rate:.3f}\n"
        f"false answers    {report.false_answer_rate:.3f}\n"
        f"latency          p50 {report.p50_ms} ms, p95 {report.p95_ms} ms"
    )
    if report.unknown:
        click.echo(_left_out(report, file))
    if verbose:
        for line in report.misses:
            click.echo(f"  {line}")


def _left_out(report: Report, file: Path) -> str:
    """One sentence on the questions ``eval`` left out: the ids the content does not have; when they are
    most of the file, that it was written for other content (the shipped skill's set after a team
    imported its own FAQ), rather than one id to write per question."""
    questions = counted(report.left_out, "question")
    if report.left_out > report.questions:
        asked = report.left_out + report.questions
        return (
            f"{report.left_out} of {asked} questions in {file} expect entries the content does not have: "
            "the file was written for other content; write an evaluation file with your callers' "
            "questions and your entries' ids (docs/knowledge.md, Commands)."
        )
    ids = ", ".join(repr(entry_id) for entry_id in report.unknown)
    return (
        f"{questions} left out: the content has no entry {ids} (its question reworded, or removed); "
        f"write the entry's id now in {file} (an id column or field keeps an id when a question changes)"
    )
