"""``voice check`` and ``voice test``: the skills checked as the start checks them, and their scripts run."""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..assistant import Assistant, build_router, load_skills, served_languages
from ..builtins import BUILTIN
from ..config import Config, only_skills, skill_references
from ..errors import VoiceError
from ..examples import examples_in_use
from ..language import language_of
from ..nlu import IntentSet
from ..nlu.check import find_conflicts
from ..skill_check import skill_problems, skill_warnings
from ..testing import assistant_for_tests, load_script, run_script, scripts_of
from ..testing_fit import unserved_language, unserved_reason
from .context import (
    CliContext,
    config_option,
    counted,
    home_assistant_option,
    list_option,
    marked,
    pass_context,
    read_lists,
    warn,
)
from .insights import command_texts

if TYPE_CHECKING:
    from ..analytics.team import Texts
    from ..router import Router
    from ..server import StartSettings


@click.command()
@click.argument("skill_names", nargs=-1, metavar="[SKILL]...")
@click.option("-l", "--locale", "locales", multiple=True, help="Languages to check (default: all loaded).")
@click.option(
    "--per-template",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Sample sentences per template.",
)
@home_assistant_option
@list_option
@config_option
@pass_context
def check(
    context: CliContext,
    skill_names: tuple[str, ...],
    locales: tuple[str, ...],
    per_template: int,
    ha: bool,
    list_values: tuple[str, ...],
) -> None:
    """Check the skills as the start does (handlers, templates, responses and prompts fit together; the
    framework has built-in intents and replies in their languages), then find sentences that more than
    one intent matches, and templates that can never match.

    Lists filled at run time (names from an API, Home Assistant's areas) need values here: --list area=keuken.
    The server settings are checked as every start reads them: the config file's, then VOICE_* variables.
    """
    from ..channels.dialogflow import check_intent_map
    from ..server import start_settings  # Flask: only this command needs it

    if skill_names:
        context._config = only_skills(context.config, skill_names)
    config, say = context.config, command_texts(context, None)
    start = start_settings(config)  # refused first, as every start does, the VOICE_* variables included
    languages = [language_of(loc) for loc in locales]
    skills = load_skills(config)
    served = served_languages(config, skills)
    extra = (
        {lang: [IntentSet.from_home_assistant(lang)] for lang in languages or served or ("en", "nl")}
        if ha
        else {}
    )
    router = build_router(config, skills, extra_intents=extra, lists=read_lists(list_values))
    if not config.chosen_skills:  # the map may name the intents of the skills left out
        check_intent_map(start.values, router, config.source)
    _tell_start_settings(start, config, say)
    problems = skill_problems(router)
    for problem in problems:
        click.echo(marked(say, "problem", problem.told(say)))
    for skill in router.skills.values():
        for line in examples_in_use(skill, None, say):
            warn(say, f"skill {skill.name!r}: {line}")
        for line in skill_warnings(skill, config.handoff, say):
            warn(say, line)
    if problems:
        sys.exit(1)
    results = [
        _tell_conflicts(router, language, per_template, say) for language in languages or router.languages
    ]
    if not all(results):
        sys.exit(1)


def _tell_conflicts(router: Router, language: str, per_template: int, say: Texts) -> bool:
    """Print the sentences of ``language`` more than one intent claims and the templates that can never
    match, in the team's words ``say``; whether there were none."""
    report = find_conflicts(router.matcher(language), per_template=per_template)
    # the framework's own overlaps ("ok thanks": yes or thanks, as the dialog asks) are no skill's to fix
    conflicts = [c for c in report.conflicts if any(skill != BUILTIN for skill, _ in c.matches)]
    counts = {"sentences": report.sentences, "conflicts": len(conflicts), "dead": len(report.dead)}
    click.echo(say("conflicts_head", language=language, **counts))
    for conflict in conflicts:
        where = say("conflict_across" if conflict.cross_skill else "conflict_within")
        claims = ", ".join(f"{skill}/{intent}" for skill, intent in conflict.matches)
        click.echo(f"  {where}: {conflict.sentence!r} ({conflict.skill}/{conflict.intent}) -> {claims}")
    for dead in report.dead:
        why = say("never_matches_why", example=repr(dead.example) if dead.example else "")
        click.echo(f"  {say('never_matches')}: {dead.skill}/{dead.intent} {dead.template!r}: {why}")
    return report.ok


def _tell_start_settings(start: StartSettings, config: Config, say: Texts) -> None:
    """Name the ``VOICE_*`` variables the settings came from, and warn of what only ``voice serve
    --no-verify`` starts and of a phone transfer the webhook cannot send."""
    from ..channels.alexa import verify_config
    from ..channels.dialogflow import unsent_transfer

    if start.environment:
        click.echo(say("from_environment", names=", ".join(start.environment)))
    if verify_config(start.values).lacks_skill_ids:
        warn(say, say("no_skill_ids"))
    if unsent_transfer(start.values, config.handoff):
        warn(say, say("unsent_transfer"))


@dataclass(frozen=True, slots=True)
class _Played:
    """One script's outcome in ``voice test``: its failures, or the language it was skipped in."""

    failures: list[str]
    skipped: str | None = None


def _run_file(path: Path, assistant: Assistant) -> _Played:
    """Play one script. One that cannot be read, or does not fit the skill (a locale it does not speak,
    a stub for no setting of it), is one failure, and the run goes on; one in a language the skill speaks
    and the config does not serve is skipped."""
    try:
        script = load_script(path)
        language = unserved_language(script.locale, assistant.router)
        return _Played([], language) if language else _Played(run_script(script, assistant))
    except VoiceError as exc:
        return _Played([exc.message])


@click.command("test")
@click.argument("skill_names", nargs=-1, metavar="[SKILL]...")
@config_option
@pass_context
def test_skills(context: CliContext, skill_names: tuple[str, ...]) -> None:
    """Run the conversation scripts (tests/*.yaml) of the skills; all loaded skills by default. Scripts in a
    language the config's locales leave out are skipped, with the reason."""
    command_texts(context, None)  # what the skills refuse is told in the team's words
    config = only_skills(context.config, skill_names) if skill_names else context.config
    references = skill_references(config)
    build_router(config, load_skills(config))  # the scripts run per skill: refuse the set as every start does
    failed = total = 0
    skipped: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="voice-test-") as workdir:
        for reference in references:
            assistant = assistant_for_tests(reference, Path(workdir), config)
            for skill in assistant.router.skills.values():
                for path in scripts_of(skill.root):
                    played = _run_file(path, assistant)
                    total += 1
                    failed += bool(played.failures)
                    if played.skipped:
                        skipped[played.skipped] += 1
                    click.echo(f"{_verdict(played)} {skill.name}/{path.name}")
                    for failure in played.failures:
                        click.echo(f"     {failure}")
            assistant.close()
    if not total:
        raise VoiceError.said("no_scripts", skills=", ".join(references))
    _tell_totals(total - skipped.total(), failed, skipped, config)
    if failed:
        sys.exit(1)


def _tell_totals(ran: int, failed: int, skipped: Counter[str], config: Config) -> None:
    """The counts, and why the skipped scripts did not run (once per language)."""
    click.echo(
        f"{ran - failed} passed, {failed} failed" + (f", {skipped.total()} skipped" if skipped else "")
    )
    for language, count in sorted(skipped.items()):
        scripts = counted(count, "script")
        click.echo(f"skipped {scripts} in {language}: {unserved_reason([language], config)}.")


def _verdict(played: _Played) -> str:
    return "FAIL" if played.failures else "skip" if played.skipped else "ok  "
