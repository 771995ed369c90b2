"""``voice report``: the KPIs of a period, compared with the period before, as a table, CSV or JSON."""

from __future__ import annotations

import datetime as dt

import click

from ..analytics import Filters, build_report
from ..config import store_url
from ..store import open_store
from .context import CliContext, config_option, pass_context

__all__ = ["report"]


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD.") from exc


@click.command()
@click.option("--from", "start", help="First day (YYYY-MM-DD, UTC); default: --days before --to.")
@click.option("--to", "end", help="Last day (YYYY-MM-DD, UTC); default: today.")
@click.option("--days", default=7, show_default=True, help="The period's length when --from is not given.")
@click.option("--channel", default="", help="Only this channel (alexa, dialogflow, chat, local).")
@click.option("--locale", default="", help="Only this language or locale (nl takes nl-NL and nl-BE too).")
@click.option("--skill", default="", help="Only this skill.")
@click.option(
    "--format", "form", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@config_option
@pass_context
def report(
    context: CliContext,
    start: str | None,
    end: str | None,
    days: int,
    channel: str,
    locale: str,
    skill: str,
    form: str,
) -> None:
    """Print the KPIs of a period beside those of the period before (see docs/insights.md)."""
    last = _date(end) or dt.datetime.now(dt.UTC).date()
    first = _date(start) or last - dt.timedelta(days=max(days, 1) - 1)
    filters = Filters(start=first, end=last, channel=channel, locale=locale, skill=skill)
    with open_store(store_url(context.config)) as store:
        found = build_report(store, filters)
    click.echo({"table": found.to_table, "csv": found.to_csv, "json": found.to_json}[form]().rstrip("\n"))
