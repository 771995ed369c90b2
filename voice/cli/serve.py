"""``voice serve``: the Alexa and Dialogflow webhooks on Flask's development server."""

from __future__ import annotations

from typing import Any

import click

from ..server import create_app
from .context import CliContext, config_option, pass_context
from .insights import command_texts


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@config_option
@click.option("--no-verify", is_flag=True, help="Accept unsigned Alexa requests (development only).")
@pass_context
def serve(context: CliContext, host: str, port: int, no_verify: bool) -> None:
    """Serve /alexa, /dialogflow and /healthz for development; production uses gunicorn (docs/channels.md)."""
    command_texts(context, None)  # what the start refuses is told in the team's words
    settings: dict[str, Any] = {}  # on top of the VOICE_* environment, which create_app reads
    if context.config_path is not None:
        settings["VOICE_CONFIG"] = str(context.config_path)
    if no_verify:
        settings["ALEXA_VERIFY"] = False
    create_app(settings).run(host=host, port=port)
