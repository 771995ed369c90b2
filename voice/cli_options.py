"""Options that several ``voice`` commands share, written once."""

from __future__ import annotations

from pathlib import Path

import click

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Config file (TOML)."
)
