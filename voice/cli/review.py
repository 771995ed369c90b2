"""``voice review``: improve the assistant from what it did not understand (a sentence, a phrasing, a new
entry, or out of scope), each action for the utterance's whole group of similar phrasings."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click

from ..analytics import Filters, read_not_understood
from ..analytics.report import group_line
from ..analytics.review import (
    Reviewed,
    add_entry,
    add_phrasing,
    mark_out_of_scope,
    record_review,
)
from ..analytics.review_sentence import add_sentence
from ..analytics.team import Team, Texts
from ..analytics.unmatched import group_phrasings
from ..assistant import load_skills
from ..config import store_url
from ..language import language_of
from ..skill import Skill
from ..store import open_store
from .context import CliContext, config_option, locale_option, pass_context
from .insights import LANG_OPTION, named_skill, team_texts

__all__ = ["review"]


@click.group()
def review() -> None:
    """Improve the assistant from what callers said that it did not understand."""


@review.command("list")
@click.option("--days", type=click.IntRange(1), default=7, show_default=True, help="The last DAYS days.")
@click.option("--locale", default="", help="Only this language, in any case.")
@click.option("--skill", default="", help="Only this skill.")
@click.option(
    "--all",
    "-a",
    "every",
    is_flag=True,
    help="Also each group's similar phrasings, indented under it, with their counts (a review takes all).",
)
@LANG_OPTION
@config_option
@pass_context
def review_list(
    context: CliContext, days: int, locale: str, skill: str, every: bool, lang: str | None
) -> None:
    """The not-understood utterances still to review, grouped, most frequent first: the count, language,
    skill, when last said (the team's time zone), the words, and for a short answer ("ja") the question
    it answered."""
    say, team = team_texts(context, lang), Team.from_config(context.config)
    filters = Filters.last_days(days, locale=language_of(locale), skill=skill)
    with open_store(store_url(context.config)) as store:
        groups = read_not_understood(store, filters, limit=50)
    for group in groups:
        when = team.local(group.last_seen)
        click.echo(
            f"{group.count:>6}  {group.locale:<5} {group.skill or '-':<20} {when}  {group_line(group, say)}"
        )
        for text, count in group.examples[1:] if every else ():
            click.echo(f"{'':8}{count:>6}  {text}")


def _skill(context: CliContext, name: str) -> Skill:
    """The loaded skill ``name``; another name is one sentence with the choices."""
    return named_skill(load_skills(context.config), name)


_WHAT = click.argument("utterance")
_SKILL = click.option("--skill", required=True, help="The skill the utterance belongs to.")
_LOCALE = locale_option("--locale", what="Its language")


def _group(command: Callable[..., None]) -> Callable[..., None]:
    """The options that choose what a review takes off the list: the utterance's whole group (the
    similar phrasings ``voice review list`` counts with it), as the dashboard does, or ``--only`` it."""
    days = click.option(
        "--days",
        type=click.IntRange(1),
        default=7,
        show_default=True,
        help="The group as voice review list --days DAYS shows it.",
    )
    only = click.option(
        "--only", is_flag=True, help="Only these words, not the similar phrasings of their group."
    )
    return days(only(command))


def _acting(command: Callable[..., None]) -> Callable[..., None]:
    """What every review action takes after its own options: the group or ``--only``, the language of
    what is printed, the config."""
    for option in (pass_context, config_option, LANG_OPTION, _group):
        command = option(command)
    return command


def _reviewing(command: Callable[..., None]) -> Callable[..., None]:
    """A review action that writes into a skill: ``--skill`` and ``--locale`` (required), then
    ``_acting``'s options, in that order in its help."""
    return _SKILL(_LOCALE(_acting(command)))


def _said(context: CliContext, utterance: str, locale: str, days: int, only: bool) -> tuple[str, ...]:
    """``utterance`` and, unless ``only``, the other phrasings of its group in the last ``days`` days."""
    if only:
        return (utterance,)
    filters = Filters.last_days(days, locale=language_of(locale))
    with open_store(store_url(context.config)) as store:
        return group_phrasings(store, filters, utterance)


def _record(context: CliContext, said: tuple[str, ...], done: Reviewed, skill: str, locale: str) -> None:
    """Record the review for every phrasing of ``said``, which takes them off the list."""
    with open_store(store_url(context.config)) as store:
        for text in said:
            record_review(store, text, done, skill=skill, locale=locale, reviewer=getpass.getuser())


def _echo_also(said: tuple[str, ...], say: Texts) -> None:
    if len(said) > 1:
        click.echo(say("review_also", phrasings=said[1:]))


@review.command("sentence")
@_WHAT
@click.option("--intent", required=True, help="The intent it should match.")
@click.option(
    "--as-said", is_flag=True, help="Write the words as said, without putting the slots' placeholders in."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the sentence that would be written; change nothing, not even the list.",
)
@_reviewing
def review_sentence(
    context: CliContext,
    utterance: str,
    intent: str,
    as_said: bool,
    dry_run: bool,
    skill: str,
    locale: str,
    days: int,
    only: bool,
    lang: str | None,
) -> None:
    """Add UTTERANCE as a template sentence of an intent (locales/<lang>/intents.yaml); its group's
    similar phrasings leave the list with it."""
    say = team_texts(context, lang)
    if dry_run:
        chosen = _skill(context, skill)
        done = add_sentence(
            chosen.root, language_of(locale), intent, utterance, as_said=as_said, dry_run=True
        )
        click.echo(say("review_preview" if done.added else "review_there", **_shown(done)))
        return
    said = _said(context, utterance, locale, days, only)
    _add(context, said, skill, locale, partial(add_sentence, as_said=as_said), intent, say)


@review.command("phrasing")
@_WHAT
@click.option("--entry", required=True, help="The knowledge entry's id.")
@_reviewing
def review_phrasing(
    context: CliContext,
    utterance: str,
    entry: str,
    skill: str,
    locale: str,
    days: int,
    only: bool,
    lang: str | None,
) -> None:
    """Add UTTERANCE as a phrasing of a knowledge entry (kept in knowledge/reviewed/<lang>.yaml); its
    group's similar phrasings leave the list with it."""
    say = team_texts(context, lang)  # first: the errors of the skill and the store are in its words too
    said = _said(context, utterance, locale, days, only)
    _add(context, said, skill, locale, add_phrasing, entry, say)


@review.command("entry")
@click.argument("question")
@click.option("--answer", required=True, help="What the assistant should answer, in the question's language.")
@click.option(
    "--question",
    "written",
    default="",
    help="The entry's question as callers hear it ('Mag mijn hond mee in de winkel?'); default: QUESTION, "
    "with a capital and a question mark when it is in lower case.",
)
@_reviewing
def review_entry(
    context: CliContext,
    question: str,
    answer: str,
    written: str,
    skill: str,
    locale: str,
    days: int,
    only: bool,
    lang: str | None,
) -> None:
    """Make QUESTION, which the assistant could not answer, a new knowledge entry with ANSWER; its
    group's similar phrasings become phrasings of the entry, and leave the list with it."""
    say = team_texts(context, lang)  # first: the errors of the skill and the store are in its words too
    said = _said(context, question, locale, days, only)
    new_entry = partial(_new_entry, written=written, also=said[1:])
    _add(context, said, skill, locale, new_entry, answer, say)


def _new_entry(
    skill_root: Path, language: str, answer: str, question: str, *, written: str, also: tuple[str, ...]
) -> Reviewed:
    """``add_entry`` in the order ``_add`` calls its actions (the answer where the others' target is)."""
    return add_entry(skill_root, language, question, answer, also, written=written)


@review.command("out-of-scope")
@_WHAT
@click.option("--skill", default="", help="The skill it was said to.")
@click.option("--locale", default="", help="Its language.")
@_acting
def review_out_of_scope(
    context: CliContext, utterance: str, skill: str, locale: str, days: int, only: bool, lang: str | None
) -> None:
    """Mark UTTERANCE as not for this assistant: it leaves the not-understood list with its group's
    similar phrasings."""
    say = team_texts(context, lang)  # first: the errors of the skill and the store are in its words too
    skill = _skill(context, skill).name if skill else ""
    said = _said(context, utterance, locale, days, only)
    with open_store(store_url(context.config)) as store:
        done = mark_out_of_scope(store, utterance, skill=skill, locale=locale, reviewer=getpass.getuser())
    _record(context, said[1:], done, skill, locale)
    click.echo(say("review_out_of_scope", utterance=utterance))
    _echo_also(said, say)


def _add(
    context: CliContext,
    said: tuple[str, ...],
    skill: str,
    locale: str,
    add: Callable[[Path, str, str, str], Reviewed],
    target: str,
    say: Texts,
) -> None:
    """Add the utterance (``said[0]``) to the skill's ``target`` (an intent, an entry) with ``add``;
    record the review for it and its group's other phrasings."""
    language = language_of(locale)
    chosen = _skill(context, skill)
    done = add(chosen.root, language, target, said[0])
    _record(context, said, done, chosen.name, language)
    click.echo(say("review_added" if done.added else "review_there", **_shown(done)))
    _echo_also(said, say)


def _shown(done: Reviewed) -> dict[str, object]:
    """What the texts of an action say: the file, the intent or entry, the sentence's template."""
    return {"path": done.path, "target": done.target, "sentence": done.sentence}
