"""Commands for skill authors: ``voice init`` (a new skill), ``voice samples`` (what the templates say),
and what ``voice chat --debug`` / ``--now`` and ``voice parse --expect`` need."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

import click

from ..assistant import Assistant
from ..builtins import BUILTIN
from ..config import Config, only_skills, skills_folder
from ..errors import VoiceError
from ..language import language_of
from ..nlu import IntentMatch, sample_sentences
from ..state import DialogState
from ..turn import Turn
from .context import CliContext, config_option, locale_option, pass_context
from .scaffold import FILES

__all__ = ["debug_line", "expected_context", "init", "parse_now", "samples"]


@click.command()
@click.argument("name")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The folder to create the skill folder in.",
)
@config_option
@pass_context
def init(context: CliContext, name: str, into: Path) -> None:
    """Create a new skill NAME (Dutch and English): an intent, a booking flow, responses, business
    hours, conversation tests and an FAQ. It passes 'voice test' and 'voice check' as it is."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise VoiceError(f"{name!r} is no skill name; use lower-case letters, digits and _, like gemeente.")
    if name == BUILTIN:
        raise VoiceError(
            f"{name!r} is the framework's own skill name (of yes, no, stop, help); choose another."
        )
    folder = into / name
    if folder.exists():
        raise VoiceError(f"{folder} exists already; choose another name or remove it.")
    title = name.replace("_", " ").title()
    for relative, template in FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.substitute(name=name, title=title), encoding="utf-8")
    click.echo(f"Created {folder}. Try it:")
    click.echo(f"  voice test {folder}")
    click.echo(f"  voice check {folder}")
    click.echo(f"  voice chat -l nl --skill {folder}")
    click.echo(_how_it_loads(context.config, folder))


def _how_it_loads(config: Config, folder: Path) -> str:
    """Whether the commands load the new skill without naming it, as ``skill_references`` decides: the
    config's ``skills = [...]`` if it has one, else every skill of the project's ``skills/`` folder."""
    file = config.source if config.folder else "voice.toml"
    path = folder if len(folder.parts) > 1 or folder.is_absolute() else f"./{folder}"  # "shop" is a name
    if config.skills:
        return f'{file} names the skills to load: add "{path}" to its skills = [...] to load this one too.'
    project = skills_folder(config)
    if project is not None and project.resolve() == folder.parent.resolve():
        return f"Every command here loads it with the other skills of {project}/, as {file} names no skills."
    home = (config.folder or Path()) / "skills"
    return (
        f"Commands load it when you name it, as above; to load it always, move it into {home}/ (whose "
        f'skills load when {file} names none), or name it in {file}: skills = ["{path}"].'
    )


@click.command()
@click.argument("skill_name", metavar="SKILL")
@locale_option(what="The language of the sentences")
@click.option("--intent", default=None, help="Only this intent's sentences.")
@click.option(
    "-n", "count", type=click.IntRange(1), default=20, show_default=True, help="How many sentences."
)
@config_option
@pass_context
def samples(context: CliContext, skill_name: str, locale: str, intent: str | None, count: int) -> None:
    """Print sentences the templates of SKILL generate, one per line with its intent (a sloppy template
    shows here before it shows in an export)."""
    language = language_of(locale)
    assistant = skill_assistant(context, (skill_name,))
    try:
        name = next(iter(assistant.router.skills))
        matcher = assistant.router.matcher(language)
        per_template: dict[str, list[str]] = defaultdict(list)
        for sample in sample_sentences(matcher, intent, limit=count, skill=name):
            per_template[f"{sample.intent}\t{sample.template}"].append(f"{sample.intent}: {sample.text}")
    finally:
        assistant.close()
    lines = [line for group in _round_robin(list(per_template.values())) for line in group][:count]
    if not lines:
        raise VoiceError(
            f"skill {name!r} has no sentences{f' for intent {intent!r}' if intent else ''} in {language}."
        )
    click.echo("\n".join(lines))


def _round_robin(groups: list[list[str]]) -> list[list[str]]:
    """One sentence of each template, then the second of each, ..."""
    longest = max((len(group) for group in groups), default=0)
    return [[group[i] for group in groups if i < len(group)] for i in range(longest)]


def skill_assistant(context: CliContext, names: tuple[str, ...]) -> Assistant:
    """The assistant of the config, or of only these skills (names or folders) when given."""
    if names:
        context._config = only_skills(context.config, names)
    return context.assistant(memory=True)


def parse_now(value: str | None, zone: dt.tzinfo) -> dt.datetime | None:
    """``--now``: an ISO date or date and time ("2026-11-27", "2026-11-27T16:30"), on the business's clock
    (``zone``, the config's ``time_zone``) when it names no zone."""
    if value is None:
        return None
    try:
        found = dt.datetime.fromisoformat(value)
    except ValueError:
        raise VoiceError(
            f"--now {value!r} is not a date or time like 2026-11-27 or 2026-11-27T16:30."
        ) from None
    return found if found.tzinfo else found.replace(tzinfo=zone)


def expected_context(assistant: Assistant, slot: str, flow: str | None) -> dict[str, str]:
    """The matcher context of a flow asking for ``slot`` (``voice parse --expect``)."""
    flows = [
        intent
        for skill in assistant.router.skills.values()
        for intent, spec in skill.flows.items()
        if spec.slot(slot) and flow in (None, intent)
    ]
    if not flows:
        raise VoiceError(f"no flow asks for slot {slot!r}{f' in {flow!r}' if flow else ''}; check the name.")
    return {"dialog": flows[0], "asking": slot}


_HANDOFF_REASONS = {
    "asked": "the caller's request",
    "irritation": "irritation",
    "low_confidence": "low recognition confidence",
    "fallbacks": "too many turns in a row that did not help",
    "refusals": "the same question's answers refused too often in a row",
}
"""``DialogState.handoff_reason`` in the words of ``voice chat --debug``."""


def debug_line(assistant: Assistant, turn: Turn, match: IntentMatch | None, before: dict[str, int]) -> str:
    """``voice chat --debug``: what was understood, and who answered."""
    state = session.dialog if (session := assistant.store.load(turn.session_id)) else DialogState()
    understood = "no intent" if match is None else _understood(match)
    return f"  [{understood}; answered by {_answerer(assistant, match, state, before)}]"


def _answerer(
    assistant: Assistant, match: IntentMatch | None, state: DialogState, before: dict[str, int]
) -> str:
    """Who answered the turn that left ``state``: a handoff it made comes first, since irritation and low
    confidence hand over on the words alone, whatever they matched."""
    if state.handed_over and not before.get("handed_over", 0):
        return _handoff(state.handoff_reason)
    if match is None:
        missed = (
            state.fallbacks > before.get("fallbacks", 0) and state.offer is None
        )  # an ignored offer counts
        return "fallback" if missed else "knowledge (or another answerer)"
    skill = assistant.router.skills.get(match.skill)
    if skill is None:
        return "the framework (built-in intent)"
    if match.intent in skill.flows:
        return f"flow {match.intent} of {skill.name}"
    if match.intent in skill.handlers:
        return f"handler {skill.handlers[match.intent].__name__} of {skill.name}"
    return f"response {match.intent} of {skill.name}"


def _understood(match: IntentMatch) -> str:
    slots = json.dumps(match.to_dict()["slots"], ensure_ascii=False)
    return f"intent {match.intent} ({match.skill}), score {match.score:.2f}, slots {slots}"


def _handoff(reason: str) -> str:
    """The handoff and why ("a handoff for irritation"); a handler's (``skill:<intent>``) names its intent."""
    if reason.startswith("skill:"):
        return f"a handoff the handler of {reason.removeprefix('skill:')} asked for"
    return f"a handoff for {_HANDOFF_REASONS.get(reason, reason)}"
