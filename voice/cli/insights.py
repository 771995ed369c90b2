"""``voice report`` (the KPIs of a period beside the period before, as a table, CSV or JSON) and
``voice dashboard user``; the team's language options that ``voice review`` shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from werkzeug.security import generate_password_hash

from ..analytics import Filters, build_report, flow_steps
from ..analytics.period import checked_language
from ..analytics.team import LANGUAGES, StageNames, Team, Texts, texts
from ..assistant import load_skills, served_languages
from ..channels import CHANNEL_NAMES
from ..config import Config, store_url
from ..dashboard.accounts import Accounts, DashboardSettings
from ..errors import ConfigError
from ..skill import Skill
from ..store import Store, open_store
from .context import CliContext, config_option, pass_context

__all__ = ["LANG_OPTION", "dashboard", "lang_option", "named_skill", "report", "team_texts"]

F = TypeVar("F", bound=Callable[..., Any])


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD.") from exc


def lang_option(*names: str) -> Callable[[F], F]:
    """The option of the language of what is printed (``-l/--lang`` unless ``names`` say otherwise: where
    ``-l`` is the content's language)."""
    return click.option(
        *(names or ("-l", "--lang")),
        "lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        help="The language of what is printed; default: [insights] language (see docs/insights.md).",
    )


LANG_OPTION = lang_option()


def team_texts(context: CliContext, lang: str | None, words: str = "insights") -> Texts:
    """The words of ``--lang``, else of the config's ``[insights] language``, from ``words``.yaml; the
    command's error and warning lines are in that language from now on (``CliContext.said``)."""
    language = lang.lower() if lang else Team.from_config(context.config).language
    context.said = texts(language, "commands")
    return texts(language, words)


def command_texts(context: CliContext, lang: str | None) -> Texts:
    """What the commands say (``commands.yaml``), in ``--lang`` or the team's language as ``voice review``
    chooses it; the command's error line is in them too. A command chooses them before it reads its
    skills or its store, so that their errors are in them."""
    return team_texts(context, lang, "commands")


@click.command()
@click.option("--from", "start", help="First day (YYYY-MM-DD, UTC); default: --days before --to.")
@click.option("--to", "end", help="Last day (YYYY-MM-DD, UTC); default: today.")
@click.option(
    "--days",
    type=click.IntRange(1),
    default=7,
    show_default=True,
    help="The period's length when --from is not given.",
)
@click.option("--channel", type=click.Choice(CHANNEL_NAMES, case_sensitive=False), help="Only this channel.")
@click.option("--locale", default="", help="Only this language (nl, NL and nl-BE all take every nl locale).")
@click.option("--skill", default="", help="Only this skill (a loaded one).")
@click.option(
    "--format", "form", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@LANG_OPTION
@config_option
@pass_context
def report(
    context: CliContext,
    start: str | None,
    end: str | None,
    days: int,
    channel: str | None,
    locale: str,
    skill: str,
    form: str,
    lang: str | None,
) -> None:
    """Print the KPIs of a period beside those of the period before (see docs/insights.md); the table in
    the team's language, the CSV and JSON with the KPIs' English names."""
    say = team_texts(context, lang)  # first: the errors of the skills and the store are in its words too
    loaded = load_skills(context.config)  # for the checks of --skill and --locale, and the funnels' order
    if skill:
        skill = named_skill(loaded, skill).name
    slice_ = {"channel": channel or "", "locale": _language(context.config, loaded, locale), "skill": skill}
    last = _date(end) or dt.datetime.now(dt.UTC).date()
    first = _date(start)
    filters = (
        Filters(start=first, end=last, **slice_) if first else Filters.last_days(days, today=last, **slice_)
    )
    with open_store(store_url(context.config)) as store:
        satisfaction = Team.from_config(context.config).satisfaction
        found = build_report(store, filters, flows=flow_steps(loaded), satisfaction=satisfaction)
    if form == "table":
        shown = found.to_table(say, StageNames.of(loaded, say).heading)
    else:
        shown = getattr(found, f"to_{form}")()
    click.echo(shown.rstrip("\n"))


# -- voice dashboard user ... -------------------------------------------------------------------


@click.group()
def dashboard() -> None:
    """The insights dashboard served under /dashboard (see docs/insights.md)."""


@dashboard.group()
def user() -> None:
    """Who may log in to the dashboard."""


def _accounts(context: CliContext) -> tuple[Store, Accounts]:
    config = context.config
    store = open_store(store_url(config))
    return store, Accounts(store, DashboardSettings.from_config(config.dashboard))


@user.command("add")
@click.argument("name")
@click.password_option(help="The password (asked for when not given).")
@config_option
@pass_context
def user_add(context: CliContext, name: str, password: str) -> None:
    """Create a user NAME (or set a new password, which lifts a lockout), kept in the store."""
    store, accounts = _accounts(context)
    with store:
        unlocked = accounts.add(name, password)
    lifted = " (the lockout after failed logins is lifted)" if unlocked else ""
    click.echo(f"dashboard user {name} can log in{lifted}")


@user.command("remove")
@click.argument("name")
@config_option
@pass_context
def user_remove(context: CliContext, name: str) -> None:
    """Remove the user NAME from the store."""
    store, accounts = _accounts(context)
    with store:
        gone = accounts.remove(name)
    click.echo(f"dashboard user {name} {'removed' if gone else 'was not in the store'}")


@user.command("unlock")
@click.argument("name")
@config_option
@pass_context
def user_unlock(context: CliContext, name: str) -> None:
    """Let NAME log in again at once after too many failed logins (its password stays)."""
    store, accounts = _accounts(context)
    with store:
        unlocked = accounts.unlock(name)
    click.echo(f"dashboard user {name} {'can log in again' if unlocked else 'was not locked'}")


@user.command("list")
@config_option
@pass_context
def user_list(context: CliContext) -> None:
    """The users of the config file and of the store."""
    store, accounts = _accounts(context)
    with store:
        for name in accounts.names():
            click.echo(name)


@user.command("hash")
@click.password_option()
def user_hash(password: str) -> None:
    """Print a password hash for [dashboard.users] in the config file."""
    click.echo(generate_password_hash(password))


# -- voice review ... ---------------------------------------------------------------------------


def named_skill(loaded: list[Skill], name: str) -> Skill:
    """The loaded skill called ``name``, or kept in the folder ``name`` (as ``voice knowledge`` takes it)."""
    skills = {skill.name: skill for skill in loaded}
    if name in skills:
        return skills[name]
    folder = Path(name).resolve()
    found = next((skill for skill in loaded if skill.root.resolve() == folder), None)
    if found is None:
        raise ConfigError.said("not_in_config", skill=repr(name), skills=", ".join(sorted(skills)))
    return found


def _language(config: Config, loaded: list[Skill], locale: str) -> str:
    """The language of ``locale`` ("" for every one); one the config does not serve is one sentence."""
    spoken = {language for skill in loaded for language in skill.languages}
    return checked_language(locale, served_languages(config, loaded) or spoken)
