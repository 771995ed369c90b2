"""``voice export``: publish a skill from its templates, as an Alexa skill package or a Dialogflow agent."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import alexa_package, dialogflow_agent
from ..export.alexa import DEFAULT_ENDPOINT
from ..skill import load_skill


@click.group()
def export() -> None:
    """Export a skill for Alexa (ASK CLI skill package) or Dialogflow ES (agent zip)."""


@export.command("alexa")
@click.argument("skill")
@click.option("-l", "--locale", default="en-US", show_default=True, help="Alexa locale, e.g. en-US, en-GB.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder that gets skill-package/.",
)
@click.option(
    "--invocation-name", help="What callers say to open the skill (default: from the skill's name)."
)
@click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True, help="HTTPS address of /alexa.")
def export_alexa(skill: str, locale: str, output: Path, invocation_name: str | None, endpoint: str) -> None:
    """Write SKILL's interaction model and manifest for LOCALE; deploy them with 'ask deploy'."""
    package = alexa_package(load_skill(skill), locale, invocation=invocation_name, endpoint=endpoint)
    model_path = package.write(output)
    language_model = package.interaction_model["interactionModel"]["languageModel"]
    samples = sum(len(intent["samples"]) for intent in language_model["intents"])
    click.echo(
        f"wrote {model_path} ({len(language_model['intents'])} intents, {samples} sample utterances, "
        f"invocation name {language_model['invocationName']!r})"
    )


@export.command("dialogflow")
@click.argument("skill")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write (default: <skill>-dialogflow.zip).",
)
@click.option("--webhook-url", default="", help="HTTPS address of /dialogflow, set as the agent's webhook.")
def export_dialogflow(skill: str, output: Path | None, webhook_url: str) -> None:
    """Write a Dialogflow ES agent zip with SKILL's intents and entities in every language it has."""
    loaded = load_skill(skill)
    agent = dialogflow_agent(loaded, webhook_url=webhook_url)
    path = agent.write(output or Path(f"{loaded.name}-dialogflow.zip"))
    intents = sum(1 for name in agent.files if name.startswith("intents/") and "_usersays_" not in name)
    click.echo(f"wrote {path} ({intents} intents, languages {', '.join(loaded.languages)})")
