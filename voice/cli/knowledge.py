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

from ..analytics.report import written_number
from ..analytics.team import Texts
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
from .context import CliContext, config_option, given_or_default_locale, pass_context
from .insights import lang_option, team_texts

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


_LANG = lang_option("--lang")
"""What is printed is in the team's language, as ``voice review`` chooses it; ``-l`` is the content's."""


def _words(context: CliContext, lang: str | None) -> Texts:
    return team_texts(context, lang, "commands")


def _number(say: Texts, value: float, form: str = ",") -> str:
    """``value`` in ``form`` as ``say``'s language writes it: English 12,000 and 0.932, Dutch 12.000 and
    0,932 (as ``voice report`` writes its figures)."""
    return written_number(format(value, form), say.language)


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
@_LANG
@config_option
@pass_context
def import_(
    context: CliContext, paths: tuple[Path, ...], skill: str, language: str, lang: str | None
) -> None:
    """Check content files, copy them into the skill and rebuild its index.

    A file lands as knowledge/LANG/<its name>, a folder's files as knowledge/LANG/<folder>/<path in it>;
    a file of that name is replaced. A folder imported again makes its copy match it: a file an earlier
    import of it brought and it no longer has (a page deleted from the site) is removed, one written
    there by hand is named (still answered until deleted). The example FAQ of voice init goes with the
    first import in its language. What reviews added (knowledge/reviewed/LANG.yaml) is not touched and
    still answered. Nothing is copied unless every file reads and the skill's content with them has
    unique ids; an import stopped while the index is built (Ctrl-C) leaves the skill as it was.
    """
    language, say = _content_language(language), _words(context, lang)
    root = skill_root(skill, context.config)
    target = content_folder(root, language)
    work = _prepare(paths, target, say)
    with placed(work.plan, [*work.examples, *work.gone], target):
        kb = KnowledgeBase.load(root, language, progress=_progress(sys.stderr.isatty(), say))
    record(paths, target, set(work.plan.values()))
    prune(work.gone, target)
    _tell_import(work, root, target, say)
    _tell_duplicates(kb.near_duplicates(), say)
    _tell_examples(skill, root, language, context.config, say)
    shown = {"count": len(kb.entries), "path": kb.index_dir}
    if kb.built is None:
        click.echo(say("index_unchanged", **shown))
    else:
        click.echo(say("index_built", seconds=_number(say, kb.built, ".2f"), **shown))


def _tell_examples(reference: str, root: Path, language: str, config: Config, say: Texts) -> None:
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


def _prepare(paths: tuple[Path, ...], target: Path, say: Texts) -> _Import:
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


def _tell_import(work: _Import, root: Path, target: Path, say: Texts) -> None:
    """What the import removed, replaced and brought, and what it means for the reviews' additions."""
    tell_removed(work.gone, work.unknown, work.dropped, target)
    for path in work.examples:
        click.echo(say("example_removed", path=path.relative_to(target).as_posix()))
    _tell_files(work, say)
    label = reviewed_file(target).relative_to(root).as_posix()
    for note in import_notes(work.entries, work.reviewed, label):
        click.echo(note)


def _tell_files(work: _Import, say: Texts) -> None:
    """A line per file imported: its entries, what it replaced and lost, and its own notes."""
    counts = Counter(entry.source for entry in work.entries)
    for file, source in work.new:
        lost, replaces = work.dropped[source], file in work.replacing
        shown = {"source": source, "count": counts[source], "file": file}
        click.echo(say("file_imported", replaces=replaces, lost=lost, **shown))
        if lost and ids_from_questions(work.entries, source):
            click.echo(say("ids_from_questions", source=source))
        for note in file_notes(file):
            click.echo(note)


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


def _progress(terminal: bool, say: Texts) -> Progress:
    """What the import shows while it embeds: a warning when that will take minutes, and (on a
    terminal) how far it is."""

    def show(done: int, total: int) -> None:
        if done == 0 and total >= SLOW_TEXTS:
            minutes = max(1, round(total / TEXTS_PER_MINUTE))
            click.echo(say("embedding_slow", total=_number(say, total), minutes=minutes), err=True)
        if terminal:
            counts = {"done": _number(say, done), "total": _number(say, total)}
            click.echo(f"\r{say('embedding', **counts)}", nl=done == total, err=True)

    return show


def _tell_duplicates(pairs: list[Pair], say: Texts) -> None:
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


@knowledge.command("ask")
@click.argument("question")
@click.option("--skill", "skill", default="customer_service", show_default=True, help="Skill name or folder.")
@click.option(
    "-l",
    "--language",
    callback=given_or_default_locale,
    help=f"Language of the question, like nl or en (nl-NL reads as nl); {LOCALE_DEFAULT}.",
)
@_LANG
@config_option
@pass_context
def ask(context: CliContext, question: str, skill: str, language: str, lang: str | None) -> None:
    """Print the decision for QUESTION, with the answer, its source and its scores."""
    language, say = _content_language(language), _words(context, lang)
    decision = KnowledgeBase.load(skill_root(skill, context.config), language).ask(question)
    click.echo(f"{decision.kind.value}: {decision.reason}")
    for number, candidate in enumerate(decision.candidates, start=1):
        similarity = "-" if candidate.similarity is None else _number(say, candidate.similarity, ".3f")
        shown = {"title": candidate.title, "id": candidate.id, "source": candidate.source}
        scores = {
            "score": _number(say, candidate.score, ".2f"),
            "keywords": _number(say, candidate.keyword_score, ".2f"),
            "similarity": similarity,
        }
        click.echo(say("candidate", number=number, **shown, **scores))
        click.echo(f"   {say('candidate_says', text=candidate.spoken)}")
        if candidate.link:
            click.echo(f"   {say('candidate_link', link=candidate.link)}")


@knowledge.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skill", "skill", default=None, help="Skill name or folder (default: the file's skill).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the figures as one JSON line (-v: with the misses)."
)
@click.option("-v", "--verbose", is_flag=True, help="List the questions that went wrong or were guessed at.")
@_LANG
@config_option
@pass_context
def eval_(
    context: CliContext, file: Path, skill: str | None, as_json: bool, verbose: bool, lang: str | None
) -> None:
    """Top-1 accuracy, confirm, abstain and false-answer rates on an evaluation FILE."""
    say = _words(context, lang)
    evalset = EvalSet.from_file(file)
    language = _content_language(evalset.language)
    reference = skill or evalset.skill
    if not reference:
        raise SkillError(say("eval_no_skill", file=file))
    report = evaluate(KnowledgeBase.load(skill_root(reference, context.config), language), evalset)
    if as_json:
        click.echo(json.dumps(report.to_dict(misses=verbose)))
        return
    _tell_figures(report, say)
    if report.unknown:
        click.echo(_left_out(report, file, say))
    if verbose:
        for line in report.misses:
            click.echo(f"  {line}")


def _tell_figures(report: Report, say: Texts) -> None:
    """The evaluation's figures, a label and its value a line, the values in one column."""

    def rate(value: float) -> str:
        return _number(say, value, ".3f")

    offered = say("eval_confirm_right", rate=rate(report.confirm_right))
    latency = {"p50": _number(say, report.p50_ms, ""), "p95": _number(say, report.p95_ms, "")}
    rows = [
        (say("eval_top1"), rate(report.top1)),
        (say("eval_answered_right"), rate(report.answered_right)),
        (say("eval_confirm_rate"), f"{rate(report.confirm_rate)} {offered}"),
        (f"  {say('eval_in_scope')}", rate(report.confirm_in_scope)),
        (f"  {say('eval_out_of_scope')}", f"{rate(report.out_of_scope_guessed)} {say('eval_guessed')}"),
        (say("eval_abstain_rate"), rate(report.abstain_rate)),
        (say("eval_false_answers"), rate(report.false_answer_rate)),
        (say("eval_latency"), say("eval_latency_figures", **latency)),
    ]
    width = max(len(label) for label, _ in rows) + 3
    head = {"language": report.language, "questions": report.questions, "out_of_scope": report.out_of_scope}
    click.echo(say("eval_head", **head))
    for label, value in rows:
        click.echo(f"{label:<{width}}{value}")


def _left_out(report: Report, file: Path, say: Texts) -> str:
    """One sentence on the questions ``eval`` left out: the ids the content does not have; when they are
    most of the file, that it was written for other content (the shipped skill's set after a team
    imported its own FAQ), rather than one id to write per question."""
    if report.left_out > report.questions:
        asked = report.left_out + report.questions
        return say("eval_other_content", left_out=report.left_out, asked=asked, file=file)
    ids = ", ".join(repr(entry_id) for entry_id in report.unknown)
    questions = say("count_question", count=report.left_out)
    return say("eval_left_out", questions=questions, ids=ids, file=file)
