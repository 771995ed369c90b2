"""``voice knowledge``: import content, ask a question, evaluate. Registered in the CLI as a click group;
each command takes ``--config`` (or the group's), whose project's skills folder it finds the skill in.
The import's file work and reports are in ``knowledge_import``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..analytics.report import written_number
from ..analytics.team import Texts
from ..config import LOCALE_DEFAULT, Config, skills_folder
from ..errors import SkillError
from ..knowledge import Decision, DecisionKind, Figures
from ..knowledge.base import KnowledgeBase
from ..knowledge.content import check_language, content_folder
from ..knowledge.evaluation import EvalSet, Miss, Report, evaluate
from ..knowledge.refresh import prune, record
from ..knowledge.vectors import Progress
from ..language import language_of
from ..skill_loading import skill_folder
from .context import CliContext, config_option, given_or_default_locale, pass_context
from .insights import command_texts, lang_option
from .knowledge_import import placed, prepare, tell_duplicates, tell_examples, tell_import

SLOW_TEXTS = 10_000
"""Texts to embed above which the import warns that it takes minutes."""
TEXTS_PER_MINUTE = 4_000
"""Roughly what the model embeds on two cores: 5,000 short passages a minute alone (``vectors``), 800
short FAQ questions and answers in 21 s with the cores shared with other work."""


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
    say = command_texts(context, lang)  # first: the words of a refused -l are the team's too
    language = _content_language(language)
    root = skill_root(skill, context.config)
    target = content_folder(root, language)
    work = prepare(paths, target, say)
    with placed(work.plan, [*work.examples, *work.gone], target):
        kb = KnowledgeBase.load(root, language, progress=_progress(sys.stderr.isatty(), say))
    record(paths, target, set(work.plan.values()))
    prune(work.gone, target)
    tell_import(work, root, target, say)
    tell_duplicates(kb.near_duplicates(), say)
    tell_examples(skill, root, language, context.config, say)
    shown = {"count": len(kb.entries), "path": kb.index_dir}
    if kb.built is None:
        click.echo(say("index_unchanged", **shown))
    else:
        click.echo(say("index_built", seconds=_number(say, kb.built, ".2f"), **shown))


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
    say = command_texts(context, lang)  # first: the words of a refused -l are the team's too
    language = _content_language(language)
    decision = KnowledgeBase.load(skill_root(skill, context.config), language).ask(question)
    click.echo(f"{say(f'decision_{decision.kind.value}')}: {_reason(decision, say)}")
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


def _reason(decision: Decision, say: Texts) -> str:
    """Why the engine decided so (``Decision.why``), with its figures, in the team's language."""
    figures = "" if decision.figures is None else _figures(decision.figures, say)
    return say(f"reason_{decision.why.value}", figures=figures)


def _figures(figures: Figures, say: Texts) -> str:
    keywords = _number(say, figures.keyword_score, ".2f")
    if figures.similarity is None:
        return say("figures_keywords", keywords=keywords, margin=_number(say, figures.margin, ".2f"))
    similarity = _number(say, figures.similarity, ".3f")
    return say("figures_model", similarity=similarity, keywords=keywords, agree=figures.agree)


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
    say = command_texts(context, lang)
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
        _tell_misses(report.misses, say)


def _tell_misses(misses: tuple[Miss, ...], say: Texts) -> None:
    """A line per question that went wrong, what was decided in a column of its own."""
    kinds = {kind: say(f"decision_{kind.value}") for kind in DecisionKind}
    width = max(len(name) for name in kinds.values())
    for miss in misses:
        expected = miss.expected or say("miss_none")
        line = say("miss", question=repr(miss.question), got=miss.got, expected=expected)
        click.echo(f"  {kinds[miss.kind]:{width}} {line}")


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
