"""``voice parse`` and ``voice chat``: what the skills understand of a sentence, and a typed conversation."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import click

from speech.audio import write_wav
from speech.errors import AudioError
from speech.playback import play
from speech.tts import Synthesizer

from ..assistant import Assistant
from ..channels.chat import ChatChannel
from ..channels.local import configured_voice
from ..config import business_zone, only_skills
from ..language import language_of
from ..state import DialogState
from ..turn import Turn
from .authoring import debug_line, expected_context, parse_now
from .context import (
    CliContext,
    config_option,
    held_log,
    home_assistant_option,
    list_option,
    locale_option,
    pass_context,
    read_lists,
    require_language,
)
from .insights import command_texts


def _assistant(
    context: CliContext, languages: list[str], ha: bool, list_values: tuple[str, ...], *, memory: bool
) -> Assistant:
    command_texts(context, None)  # first: what the skills and the store refuse is in the team's words
    return context.assistant(
        memory=memory, home_assistant=languages if ha else [], lists=read_lists(list_values)
    )


@click.command()
@click.argument("text")
@locale_option(what="The language of TEXT")
@click.option("--all", "show_all", is_flag=True, help="Also list the other matching intents, best first.")
@click.option("--expect", "slot", default=None, help="Read TEXT as the answer to a flow's question for SLOT.")
@click.option(
    "--flow", default=None, help="With --expect: the flow (intent) asking, if several ask for SLOT."
)
@click.option("--now", default=None, help="The clock: 2026-11-27 or 2026-11-27T16:30 (for 'morgen').")
@home_assistant_option
@list_option
@config_option
@pass_context
def parse(
    context: CliContext,
    text: str,
    locale: str,
    show_all: bool,
    slot: str | None,
    flow: str | None,
    now: str | None,
    ha: bool,
    list_values: tuple[str, ...],
) -> None:
    """Print the intent and slots that TEXT matches, as JSON (built-in intents such as yes and stop too),
    read as a conversation reads it: without "eh", an opening "en" or venting before a request for a
    person."""
    language = language_of(locale)
    assistant = _assistant(context, [language], ha, list_values, memory=True)
    asked = expected_context(assistant, slot, flow) if slot else None
    zone = business_zone(assistant.config)
    router, clock = assistant.router, parse_now(now, zone) or dt.datetime.now(zone)
    best = router.parse(text, language, asked, now=clock)
    if best is None:
        click.echo(json.dumps({"intent": None, "text": text}, ensure_ascii=False))
        sys.exit(1)
    result = best.to_dict()
    if show_all:
        others = router.matcher(language).match_all(text, context=asked, now=clock)
        result["alternatives"] = [
            m.to_dict()
            for m in map(router.resolved, others)
            if m is not None and (m.skill, m.intent) != (best.skill, best.intent)
        ]
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@click.command()
@locale_option(what="The language of the conversation")
@click.option("--user", default=None, help="The caller's id in the store (default: your login name).")
@click.option("--memory", is_flag=True, help="Keep the conversation in memory only (not in the store).")
@click.option("--speak", is_flag=True, help="Also speak every reply on the speaker.")
@click.option(
    "--speak-to",
    "speak_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every spoken reply as a WAV file into this folder (reply-001.wav, ...).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Show the intent, slots, score and who answered each line, and what its turn logged.",
)
@click.option(
    "--now", default=None, help="Set the clock: 2026-11-27 or 2026-11-27T16:30 (a Friday: 'morgen')."
)
@click.option("--skill", "skill_names", multiple=True, help="Only this skill (name or folder; repeatable).")
@home_assistant_option
@list_option
@config_option
@pass_context
def chat(
    context: CliContext,
    locale: str,
    user: str | None,
    memory: bool,
    speak: bool,
    speak_to: Path | None,
    debug: bool,
    now: str | None,
    skill_names: tuple[str, ...],
    ha: bool,
    list_values: tuple[str, ...],
) -> None:
    """A typed conversation with the skills; one line is one turn (Ctrl-D ends).

    It is kept, logged and handed off like a call, in the configured store (``--memory``: not kept).
    Warnings logged meanwhile follow the conversation, marked "log:" in the team's words (--debug: each
    under its turn).
    """
    if skill_names:
        context._config = only_skills(context.config, skill_names)
    language = language_of(locale)
    assistant = _assistant(context, [language], ha, list_values, memory=memory)
    try:
        require_language(assistant, language)
        assistant.prepare(language)  # before the first prompt: the first turn's latency is its own
        debugger = _Debugger(assistant, parse_now(now, business_zone(assistant.config)), debug)
        synthesizer = configured_voice(assistant.config)
        voice_out = _ReplyVoice(synthesizer, locale, speak, speak_to) if speak or speak_to else None
        channel = ChatChannel(locale, user_id=user or getpass.getuser())
        typed = _typed_lines()
        interactive = typed.isatty()
        with held_log(command_texts(context, None)) as log:
            while True:
                if interactive:
                    click.echo("> ", nl=False)
                line = typed.readline()
                if not line:
                    break
                if line.strip() and _chat_turn(assistant, channel, line, voice_out, debugger):
                    break
                if debug:
                    log.tell()
    finally:
        assistant.close()


def _typed_lines() -> TextIO:
    """Standard input read as UTF-8, a byte that is not UTF-8 read as U+FFFD: a stray byte is a typo in
    the line, where an undecodable character failed the turn (redaction, the store) with a traceback."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    return sys.stdin


_NO_SPEAKER = "no audio output device is available; use --speak-to FOLDER to write the replies as WAV files."


class _ReplyVoice:
    """Speaks chat replies on the speaker and/or into numbered WAV files."""

    def __init__(self, synthesizer: Synthesizer, locale: str, play: bool, folder: Path | None) -> None:
        synthesizer.voice_for(locale)  # a bad voice now, not after the first reply
        self.synthesizer, self.locale, self.play, self.folder = synthesizer, locale, play, folder
        self.count = 0

    def say(self, speech_text: str) -> None:
        speech = self.synthesizer.synthesize(speech_text, self.locale)
        self.count += 1
        if self.folder is not None:
            write_wav(self.folder / f"reply-{self.count:03}.wav", speech.samples, speech.rate)
        if self.play:
            try:
                play(speech.samples, speech.rate)
            except AudioError as exc:
                raise AudioError(_NO_SPEAKER) from exc


class _Debugger:
    """``--now`` and ``--debug`` of ``voice chat``: the turn's clock, and what was understood."""

    def __init__(self, assistant: Assistant, now: dt.datetime | None, show: bool) -> None:
        self.assistant, self.now, self.show = assistant, now, show

    def turn(self, turn: Turn) -> Turn:
        return turn if self.now is None else replace(turn, time=self.now)

    def explain(self, turn: Turn) -> Callable[[], str] | None:
        """Before the turn: what it will be understood as; the result, called after it, says who answered."""
        if not self.show:
            return None
        session = self.assistant.store.load(turn.session_id)
        state = session.dialog if session else DialogState()
        match = self.assistant.router.parse(
            turn.text, turn.language, state.context(), now=turn.time, confirming=state.slot_to_confirm
        )
        before = {"fallbacks": state.fallbacks, "handed_over": int(state.handed_over)}
        return lambda: debug_line(self.assistant, turn, match, before)


def _chat_turn(
    assistant: Assistant,
    channel: ChatChannel,
    line: str,
    voice_out: _ReplyVoice | None,
    debugger: _Debugger | None = None,
) -> bool:
    """Answer one line; True when the conversation is over."""
    turn = channel.to_turn(line)
    explain = None
    if debugger is not None:
        turn = debugger.turn(turn)
        explain = debugger.explain(turn)
    reply = assistant.respond(turn)
    click.echo(channel.to_response(reply, turn))
    if explain is not None:
        click.echo(explain())
    if voice_out is not None:
        voice_out.say(reply.speech)
    return reply.end_session
