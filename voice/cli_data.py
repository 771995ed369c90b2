"""``voice data``: the conversation data the store keeps, with GDPR care (retention, erasure)."""

from __future__ import annotations

from pathlib import Path

import click

from .config import load_config, store_url
from .store import open_store

_config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Config file (TOML)."
)


@click.group()
def data() -> None:
    """Keep conversation data only as long as needed."""


@data.command()
@_config_option
def purge(config_path: Path | None) -> None:
    """Delete expired sessions and conversation-log rows older than the configured retention_days."""
    config = load_config(config_path)
    with open_store(store_url(config)) as store:
        sessions = store.purge_expired()
        rows = store.purge_log(config.retention_days)
    click.echo(
        f"deleted {sessions} expired sessions and {rows} log rows older than {config.retention_days} days"
    )


@data.command()
@click.argument("user_id")
@_config_option
def forget(user_id: str, config_path: Path | None) -> None:
    """Erase everything kept about USER_ID: sessions, remembered attributes and the conversation log."""
    with open_store(store_url(load_config(config_path))) as store:
        count = store.delete_user(user_id)
    click.echo(f"erased {count} records of user {user_id}")
