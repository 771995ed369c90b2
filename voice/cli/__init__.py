"""The ``voice`` command line: speech, skills, conversations, the server, exports and data.

Every expected failure is a ``VoiceError`` (or the speech layer's ``SpeechError``): the group
prints its one sentence (no traceback) and exits with the error's exit code. The config is
read once (``--config`` on the group or on any command) and shared through ``CliContext``.
"""

from __future__ import annotations

from typing import Any

import click

from speech.errors import SpeechError

from ..errors import VoiceError
from . import authoring, checks, conversation, data, export, insights, knowledge, review, run, serve, speech
from .context import CliContext, config_option, marked


class _VoiceGroup(click.Group):
    """A click group that renders every expected error as one line."""

    def invoke(self, ctx: click.Context) -> Any:
        context = ctx.ensure_object(CliContext)  # made here, the command's is this one: its words too
        try:
            return super().invoke(ctx)
        except (VoiceError, SpeechError) as exc:
            say = context.words  # the command's words once it chose them
            told = exc.told(say) if isinstance(exc, VoiceError) else exc.message
            click.echo(marked(say, "error", told), err=True)
            ctx.exit(exc.exit_code)
        except click.BadParameter as exc:
            if exc.param is None or not isinstance(exc.param.type, click.Path):
                raise
            click.echo(marked(context.words, "error", _path_problem(exc)), err=True)
            ctx.exit(exc.exit_code)


def _path_problem(exc: click.BadParameter) -> str:
    """A path click refused (missing, a folder for a file ...) as bad input, in one line: click's own
    rendering is its usage and three lines ("Error: Invalid value for 'FILE': File 'x' does not exist.")."""
    what = exc.message.rstrip(".")
    where = f" ({exc.param.opts[0]})" if isinstance(exc.param, click.Option) else ""
    return f"{what[:1].lower()}{what[1:]}; check the path{where}."


@click.group(cls=_VoiceGroup)
@click.version_option(package_name="voice-skills")
@config_option
def cli() -> None:
    """Voice skills: offline speech (Vosk, espeak-ng), one skill for microphone, Alexa and Dialogflow."""


for command in (
    speech.say,
    speech.transcribe,
    speech.models_group,
    speech.fixtures,
    run.devices,
    run.run,
    conversation.parse,
    conversation.chat,
    checks.test_skills,
    checks.check,
    authoring.init,
    authoring.samples,
    serve.serve,
    export.export,
    data.data,
    knowledge.knowledge,
    insights.report,
    review.review,
    insights.dashboard,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="voice")
