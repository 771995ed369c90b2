"""``voice export``: publish a skill from its templates, as an Alexa skill package or a Dialogflow agent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from ..builtins import BUILTIN_LOCALES, builtin_languages
from ..config import skills_folder
from ..errors import VoiceError
from ..export import ExportError, alexa_package, dialogflow_agent
from ..export.alexa import DEFAULT_ENDPOINT, deployed_endpoint, unmatched_examples
from ..export.common import FRAMEWORK_INTENTS
from ..language import language_of
from ..skill import Skill
from ..skill_loading import load_skill
from .context import CliContext, config_option, pass_context, warn
from .insights import command_texts

if TYPE_CHECKING:
    from ..analytics.team import Texts


@click.group()
def export() -> None:
    """Export a skill for Alexa (ASK CLI skill package) or Dialogflow ES (agent zip)."""


@export.command("alexa")
@click.argument("skill")
@click.option(
    "-l",
    "--locale",
    "locales",
    multiple=True,
    default=("en-US",),
    show_default=True,
    help="Alexa locale, e.g. en-US; repeat it for more (-l en-US -l en-GB).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder that gets skill-package/; a package there already keeps its other locales.",
)
@click.option(
    "--invocation-name",
    help="What callers say to open the skill (default: 'invocation' in locales/<lang>/skill.yaml, "
    "else made from the skill's name).",
)
@click.option("--endpoint", help="HTTPS address of /alexa (without it: a placeholder, with a warning).")
@config_option
@pass_context
def export_alexa(
    context: CliContext,
    skill: str,
    locales: tuple[str, ...],
    output: Path,
    invocation_name: str | None,
    endpoint: str | None,
) -> None:
    """Write SKILL's interaction model for each LOCALE and the manifest; deploy them with 'ask deploy'."""
    say = command_texts(context, None)
    if endpoint is not None:
        _require_https("--endpoint", endpoint, "Alexa", "/alexa")
    loaded = _project_skill(context, skill)
    given = endpoint or deployed_endpoint(output)  # the package's own, when it has a real one
    chosen = given or DEFAULT_ENDPOINT
    packages = [alexa_package(loaded, one, invocation=invocation_name, endpoint=chosen) for one in locales]
    warnings = _no_address(say, "--endpoint", given, "/alexa", placeholder=DEFAULT_ENDPOINT)
    for package in packages:
        model_path = _write(package.write, output)
        language_model = package.interaction_model["interactionModel"]["languageModel"]
        warnings += _alexa_warnings(package.locale, language_model["invocationName"], invocation_name, loaded)
        samples = sum(len(intent["samples"]) for intent in language_model["intents"])
        click.echo(
            f"wrote {model_path} ({len(language_model['intents'])} intents, {samples} sample utterances, "
            f"invocation name {language_model['invocationName']!r})"
        )
    _warn(say, list(dict.fromkeys(warnings)))


_ALEXA_CUSTOM_LOCALES = frozenset(
    {"ar-SA", "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US", "es-ES", "es-MX", "es-US"}
    | {"fr-CA", "fr-FR", "hi-IN", "it-IT", "ja-JP", "pt-BR"}
)
"""The locales Alexa offers custom skills in (Amazon's "Develop skills in multiple languages"); no Dutch."""


def _alexa_warnings(locale: str, invocation: str, asked: str | None, skill: Skill) -> list[str]:
    """What the platform will refuse or what was chosen for the author."""
    warnings = []
    if locale not in _ALEXA_CUSTOM_LOCALES:
        warnings.append(
            f"Alexa has no custom skills in {locale}; the model is written, but the Alexa developer console "
            "will not accept it. Serve these callers with Dialogflow or the local channel."
        )
    file = _info_file(locale)
    if asked is None and skill.info(locale).invocation is None:
        own = skill.name.lower().replace("_", " ").split()
        added = "" if invocation.split()[-1] in own else " (Alexa needs two words, so one was added)"
        warnings.append(
            f"the invocation name {invocation!r} was made from the skill's name{added}; "
            f"choose one with 'invocation:' in {file} or with --invocation-name."
        )
    warnings += _missing_info(skill, locale)
    warnings += _missing_builtins(language_of(locale), _ALEXA_WITHOUT_BUILTINS)
    warnings += [
        f"example phrase {text!r} of {file} matches none of the skill's templates; "
        "Alexa certification wants example phrases the model understands."
        for text in unmatched_examples(skill, locale)
    ]
    return warnings


@export.command("dialogflow")
@click.argument("skill")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write (default: <skill>-dialogflow.zip).",
)
@click.option("--webhook-url", default="", help="HTTPS address of /dialogflow, set as the agent's webhook.")
@click.option("--default-language", default=None, help="The agent's default language (default: the first).")
@config_option
@pass_context
def export_dialogflow(
    context: CliContext, skill: str, output: Path | None, webhook_url: str, default_language: str | None
) -> None:
    """Write a Dialogflow ES agent zip with SKILL's intents and entities in every language it has."""
    say = command_texts(context, None)
    if webhook_url:
        _require_https("--webhook-url", webhook_url, "Dialogflow ES", "/dialogflow")
    loaded = _project_skill(context, skill)
    languages = loaded.languages
    if default_language is not None:
        if default_language not in languages:
            raise VoiceError(
                f"skill {loaded.name!r} has no language {default_language!r}; it has {', '.join(languages)}."
            )
        languages = (default_language, *(language for language in languages if language != default_language))
    agent = dialogflow_agent(loaded, languages=languages, webhook_url=webhook_url)
    path = _write(agent.write, output or Path(f"{loaded.name}-dialogflow.zip"))
    _warn(say, _no_address(say, "--webhook-url", webhook_url, "/dialogflow"))
    _warn(say, _missing_info(loaded, languages[0]))
    _warn(
        say,
        [
            warning
            for language in languages
            for warning in _missing_builtins(language, _AGENT_WITHOUT_BUILTINS)
        ],
    )
    intents = sum(1 for name in agent.files if name.startswith("intents/") and "_usersays_" not in name)
    click.echo(f"wrote {path} ({intents} intents, languages {', '.join(languages)}, default {languages[0]})")


def _project_skill(context: CliContext, reference: str) -> Skill:
    """SKILL as the other commands find it: a folder path, a name in the project's ``skills/`` folder,
    else a shipped skill."""
    return load_skill(reference, skills_folder(context.config))


def _info_file(locale: str) -> str:
    return f"locales/{language_of(locale)}/skill.yaml"


def _missing_info(skill: Skill, locale: str) -> list[str]:
    """The warning both exports give when the locale's ``skill.yaml`` is missing (docs/skills.md)."""
    if skill.info(locale).source is not None:
        return []
    return [
        f"{_info_file(locale)} is missing: the name and descriptions the platform shows come from the "
        "skill's name and its Python docstring, whatever its language; write the store texts there "
        "(see docs/exports.md)."
    ]


_ALEXA_WITHOUT_BUILTINS = (
    f"the model has no {', '.join(FRAMEWORK_INTENTS[:-1])} or {FRAMEWORK_INTENTS[-1]} intent, and a caller "
    "cannot ask for a person, greet, thank, ask it to wait or ask which language it speaks (Alexa's own "
    "yes, no, help and stop still reach the skill)"
)
_AGENT_WITHOUT_BUILTINS = (
    "a caller cannot say yes, no, help or stop, or ask for a person, since the agent has no intent for them "
    "and the webhook's router, which re-reads what the agent does not match, has none in that language either"
)


def _missing_builtins(language: str, lost: str) -> list[str]:
    """The warning both exports give for a language the framework has no built-in intents in
    (``voice/locales/<lang>/intents.yaml``, docs/dialogs.md): what is lost there, and how to add them."""
    if language in builtin_languages():
        return []
    return [
        f"the framework has no built-in intents in {language!r} (only in "
        f"{', '.join(sorted(builtin_languages()))}): {lost}; add intents.yaml to "
        f"{BUILTIN_LOCALES / language}/, translated from {BUILTIN_LOCALES / 'en'}/ (docs/dialogs.md)."
    ]


def _warn(say: Texts, warnings: list[str]) -> None:
    for warning in warnings:
        warn(say, warning)


def _no_address(say: Texts, option: str, given: str | None, path: str, *, placeholder: str = "") -> list[str]:
    """The warning both exports give without the webhook's address: a package that would be deployed as
    written would send the platform's requests to a ``placeholder`` (Alexa's), or nowhere."""
    if given:
        return []
    return [say("no_address", option=option, placeholder=placeholder, path=path)]


def _require_https(option: str, url: str, platform: str, path: str) -> None:
    """Refuse an address the platform would never call: Alexa and Dialogflow ES call HTTPS only."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.netloc:
        raise ExportError.said("not_https", option=option, url=repr(url), platform=platform, path=path)


def _write(write: Callable[[Path], Path], path: Path) -> Path:
    """``write(path)``; a path that cannot be written (a file where a folder belongs, no permission) is
    one sentence naming it, as ``voice data export`` does."""
    try:
        return write(path)
    except OSError as exc:
        raise VoiceError(
            f"cannot write {path}: {exc.strerror or exc}; check that its folder exists and is writable."
        ) from exc
