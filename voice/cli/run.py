"""``voice run`` (the hands-free loop) and ``voice devices``."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from speech import audio, models
from speech.devices import (
    AudioInput,
    AudioOutput,
    SimulatedAudio,
    SoundDeviceInput,
    SoundDeviceOutput,
    list_devices,
)
from speech.fixture_model import is_fixture_model
from speech.listen import STANDOUT_DB

from ..channels.local import LoopConfig, LoopEvent, Mode, build_local_loop
from ..errors import VoiceError
from ..language import language_of
from .context import (
    CliContext,
    HeldLog,
    config_option,
    held_log,
    locale_option,
    pass_context,
    require_language,
)
from .insights import command_texts


@click.command()
@locale_option()
@click.option(
    "--input",
    "input_wav",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Listen to a WAV file instead of the microphone.",
)
@click.option(
    "--output",
    "output_wav",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write what the assistant says to a WAV file (on the input's timeline).",
)
@click.option("--input-device", help="Microphone name or index ('voice devices' lists them).")
@click.option("--output-device", help="Speaker name or index.")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in Mode]),
    default=Mode.WAKE_WORD.value,
    show_default=True,
    help="wake: say the wake phrase first; always: every utterance is a command.",
)
@click.option("--wake", "wake_phrase", help="Wake phrase (default per language, e.g. 'hallo computer').")
@click.option(
    "--push-at",
    "push_at",
    type=float,
    multiple=True,
    metavar="SECONDS",
    help="With --input and --mode push: press the talk button at this point of the file (repeatable).",
)
@click.option(
    "--model", "model_path", type=click.Path(file_okay=False, path_type=Path), help="Vosk model folder."
)
@click.option(
    "--barge-in",
    is_flag=True,
    help="Speech while the assistant talks interrupts it; use with headphones or echo cancellation.",
)
@click.option(
    "--standout",
    "standout_db",
    type=click.FloatRange(min=0.0),
    default=STANDOUT_DB,
    show_default=True,
    metavar="DB",
    help="How far a command must rise above the sound around it; 0 takes murmur in the room too.",
)
@click.option(
    "--earcon/--no-earcon",
    default=True,
    show_default=True,
    help="A short tone when the assistant stops listening and waits for the wake word (or button) again.",
)
@click.option("--realtime", is_flag=True, help="With --input: play the file at real speed.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per event.")
@click.option("--memory", is_flag=True, help="Keep the conversation in memory only (not in the store).")
@config_option
@pass_context
def run(context: CliContext, /, **options: Any) -> None:
    """Talk to the skills hands-free: wake word, command, spoken reply, follow-ups (and --barge-in).

    Warnings logged meanwhile follow the reply of their turn, marked "log:" in the team's words.
    """
    say = command_texts(context, None)  # first: what the skills and the store refuse is in its words too
    chosen = RunOptions(**options)
    _check_files(chosen)
    language = language_of(chosen.locale)
    assistant = context.assistant(memory=chosen.memory)
    audio_in: AudioInput | None = None
    try:
        require_language(assistant, language)  # before the model: "no skill speaks 'fr'"
        assistant.prepare(language)  # before listening: the first turn's latency is its own
        model_dir = models.resolve_model(language, chosen.model_path or context.config.models.get(language))
        simulated = _simulated(chosen)
        if simulated is None:
            _warn_if_fixture_model(model_dir)
        audio_in = simulated or SoundDeviceInput(_device(chosen.input_device))
        audio_out: AudioOutput = simulated or SoundDeviceOutput(_device(chosen.output_device))
        with held_log(say) as log:
            loop = build_local_loop(
                assistant,
                chosen.locale,
                (audio_in, audio_out),
                model_dir=model_dir,
                settings=chosen.loop_config(),
                on_event=_printer(chosen.as_json, log),
                pushed=_talk_button(chosen.push_at, live=simulated is None and chosen.push_to_talk),
            )
            note = _replies_note(chosen)
            if note:
                click.echo(note, err=True)
            with contextlib.suppress(KeyboardInterrupt):
                loop.run()
    finally:
        if audio_in is not None:
            audio_in.close()
        assistant.close()
    if simulated is not None and chosen.output_wav is not None:
        audio.write_wav(chosen.output_wav, simulated.timeline())
        click.echo(f"wrote {chosen.output_wav}", err=chosen.as_json)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """``voice run``'s options as click passes them: one field per option, named as its parameter."""

    locale: str
    input_wav: Path | None
    output_wav: Path | None
    input_device: str | None
    output_device: str | None
    mode: str
    wake_phrase: str | None
    push_at: tuple[float, ...]
    """Seconds into ``input_wav`` at which the talk button is pressed."""
    model_path: Path | None
    barge_in: bool
    standout_db: float
    earcon: bool
    realtime: bool
    as_json: bool
    memory: bool

    @property
    def push_to_talk(self) -> bool:
        """``--mode push``: the talk button opens the microphone."""
        return Mode(self.mode) is Mode.PUSH_TO_TALK

    def loop_config(self) -> LoopConfig:
        """The loop's settings; ``--standout 0`` turns the check off."""
        return LoopConfig(
            wake_phrase=self.wake_phrase,
            mode=Mode(self.mode),
            barge_in=self.barge_in,
            min_standout_db=self.standout_db or None,
            earcon=self.earcon,
        )


def _simulated(chosen: RunOptions) -> SimulatedAudio | None:
    """The input file as microphone and speaker (``--input``); None for the real devices."""
    if chosen.input_wav is None:
        return None
    return SimulatedAudio(audio.read_wav(chosen.input_wav), realtime=chosen.realtime, tail_seconds=2.0)


def _warn_if_fixture_model(model_dir: Path) -> None:
    """A model trained on espeak-ng speech meets a person: say so before the loop starts."""
    if is_fixture_model(model_dir):
        click.secho(
            "WARNING: this is a fixture model trained on synthetic speech only; it will not understand "
            "people at a live microphone. Install a real model with 'voice models pull'.",
            fg="red",
            err=True,
        )


def _check_files(chosen: RunOptions) -> None:
    """Refuse options that would be ignored without a word: the loop would run, but not as asked."""
    input_wav, push_at = chosen.input_wav, chosen.push_at
    if chosen.output_wav is not None and input_wav is None:
        raise VoiceError(
            "--output works with --input only (the loop on files); give both, or neither for the microphone."
        )
    if chosen.realtime and input_wav is None:
        raise VoiceError("--realtime works with --input only (it plays the file at real speed); add --input.")
    if push_at and (not chosen.push_to_talk or input_wav is None):
        raise VoiceError(
            "--push-at works with --mode push and --input only; add them, or leave --push-at out."
        )
    if chosen.push_to_talk and input_wav is not None and not push_at:
        raise VoiceError(
            "--mode push on a file needs --push-at SECONDS to press the talk button; give at least one."
        )


def _replies_note(chosen: RunOptions) -> str | None:
    """On a file the replies are not played: say where they go, rather than drop them without a word."""
    input_wav, output_wav, output_device = chosen.input_wav, chosen.output_wav, chosen.output_device
    if input_wav is None:
        return None
    if output_wav is None:
        device = " on --output-device" if output_device else ""
        return f"note: with --input the replies are not played{device}; add --output FILE.wav to hear them."
    if output_device:
        return f"note: with --input the replies go to {output_wav}, not to --output-device."
    return None


def _talk_button(presses: tuple[float, ...], *, live: bool) -> Callable[[float], bool]:
    """Push-to-talk: Enter in the terminal (live), or presses at given points of an input file."""
    scheduled = sorted(presses)
    pressed = threading.Event()

    def read_enter() -> None:
        for _line in sys.stdin:
            pressed.set()

    if live:
        threading.Thread(target=read_enter, daemon=True).start()

    def pushed(now: float) -> bool:
        if pressed.is_set():
            pressed.clear()
            return True
        if scheduled and now >= scheduled[0]:
            scheduled.pop(0)
            return True
        return False

    return pushed


def _device(name: str | None) -> int | str | None:
    return int(name) if name is not None and name.isdigit() else name


_TURN_ENDS = frozenset({"reply", "gave_up"})
"""The events after which what was logged during the turn is told."""


def _printer(as_json: bool, log: HeldLog) -> Callable[[LoopEvent], None]:
    def show(event: LoopEvent) -> None:
        _show(event, as_json)
        if event.kind in _TURN_ENDS:
            log.tell()

    return show


def _show(event: LoopEvent, as_json: bool) -> None:
    """One event as a line of the terminal, or a JSON object with ``--json``."""
    if as_json:
        click.echo(json.dumps(event.to_dict(), ensure_ascii=False))
        return
    data = event.data
    if event.kind == "rejected" and data.get("second_opinion"):
        return  # the words heard follow, on a line that says they were outside the grammar
    line = {
        "state": f"[{data.get('state')}{' (follow-up)' if data.get('follow_up') else ''}]",
        "wake": f"(wake word: {data.get('phrase')})",
        "push": "(talk button)",
        "partial": f"  … {data.get('text')}",
        "heard": f"you{' (heard outside the grammar)' if data.get('outside_grammar') else ''}: "
        f"{data.get('text') or '(nothing understood)'}",
        "rejected": f"  ({'background' if data.get('background') else 'not in the grammar'}: "
        f"{', '.join(data.get('heard', [])) or 'no words'})",
        "reply": f"assistant [{data.get('intent') or 'no intent'}]: {data.get('text')}",
        "gave_up": f"(not understood {data.get('misses')} times in a row; starting over)"
        + (f"\n         assistant: {data['text']}" if data.get("text") else ""),
        "barge_in": "(interrupted)",
        "timeout": "(no answer; waiting for the wake word)",
        "earcon": "(listening ends: tone)",
    }.get(event.kind, event.kind)
    click.echo(f"{event.at:7.2f}s {line}")
    sys.stdout.flush()


@click.command()
def devices() -> None:
    """List the audio devices (index, name, input and output channels)."""
    found = list_devices()
    if not found:
        click.echo("no audio devices found; use 'voice run --input FILE.wav --output FILE.wav'.")
    for device in found:
        click.echo(
            f"{device['index']:3}  {device['name']:40} in: {device['inputs']}  out: {device['outputs']}"
        )
