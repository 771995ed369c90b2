"""The local channel: the hands-free loop at a microphone (wake word, command, reply, follow-up, barge-in).

``LocalChannel`` is the channel proper: what was heard becomes a ``Turn``, the ``Reply``
becomes synthesized speech. ``LocalLoop`` drives it from an audio input; ``build_local_loop``
assembles a loop for an assistant (its grammar comes from the assistant's router, its voice
from the config: ``configured_voice``, which ``voice say`` and ``voice chat`` speak with too).
Its settings, events and vocabulary checks are in ``local_settings``; these two modules and the CLI
are the only parts of ``voice`` that load ``speech``.

States: ``waiting`` (for the wake word), ``listening``, ``thinking``, ``speaking``. A reply
that does not end the conversation is followed by listening without the wake word, for a while; with barge-in
on, speech while the assistant talks stops playback at once and becomes the next turn. Every step is
reported as a ``LoopEvent`` (for the terminal, ``--json`` and the benchmark).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from speech import audio, models
from speech.audio import SAMPLE_RATE
from speech.devices import AudioInput, AudioOutput
from speech.listen import Heard, Listener
from speech.stt import Grammar, Recognizer, normalize_phrase, transcribe
from speech.tts import EspeakSynthesizer, Speech, Synthesizer
from speech.wake import WakeListener

from ..assistant import Assistant
from ..config import Config
from ..errors import VoiceError
from ..grammar import grammar_phrases
from ..language import language_of
from ..reply import Reply
from ..turn import Responder, Turn
from .local_settings import (
    GIVE_UP,
    Ears,
    LoopConfig,
    LoopEvent,
    Mode,
    State,
    check_vocabulary,
    wake_phrase_of,
)

__all__ = [
    "GIVE_UP",
    "LISTENING_ENDS",
    "Ears",
    "LocalChannel",
    "LocalLoop",
    "LoopConfig",
    "LoopEvent",
    "Mode",
    "State",
    "build_local_loop",
    "configured_voice",
    "wake_phrase_of",
]
"""``local_settings``'s names too: skill authors and the CLI import the loop from one place."""

CHUNK_MS = 40
NEAR_WAKE_SIMILARITY = 0.8
"""How alike (difflib's ratio of the letters) a refused utterance's open-vocabulary words and the wake
phrase are when they count as the wake phrase: "hey computers" 0.96, "hallo mijn computer" 0.85, "hey
computer what time is it" 0.6."""


LISTENING_ENDS = audio.tones((660.0, 440.0), 0.09)
"""The earcon of the end of listening (``LoopConfig.earcon``): two falling tones, 0.18 s, at -20 dBFS."""


@dataclass(frozen=True, slots=True)
class LocalChannel:
    """What was heard at the microphone -> ``Turn``; ``Reply`` -> speech for the speaker."""

    locale: str
    synthesizer: Synthesizer
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    name: str = "local"
    deadline_s: float | None = None
    """A person at the microphone waits as long as it takes."""

    def to_turn(self, heard: tuple[str, float]) -> Turn:
        """The words heard and their recognition confidence."""
        text, confidence = heard
        return Turn(
            text=text,
            locale=self.locale,
            channel=self.name,
            session_id=self.session_id,
            confidence=confidence,
        )

    def to_response(self, reply: Reply, turn: Turn) -> Speech:
        return self.synthesizer.synthesize(reply.speech, self.locale)

    def error_response(self, error: VoiceError) -> Speech:
        return self.synthesizer.synthesize(error.message, self.locale)


class LocalLoop:
    """Runs the conversation on an input and an output until the input ends."""

    def __init__(
        self,
        responder: Responder,
        channel: LocalChannel,
        ears: Ears,
        config: LoopConfig,
        audio: tuple[AudioInput, AudioOutput],
        *,
        on_event: Callable[[LoopEvent], None] = lambda event: None,
        pushed: Callable[[float], bool] = lambda now: False,
    ) -> None:
        config = replace(config, wake_phrase=wake_phrase_of(config, channel.locale))
        check_vocabulary(ears, config, channel.locale)
        channel.synthesizer.voice_for(channel.locale)  # a bad voice now, not at the first reply
        self.config, self.responder, self.channel, self.model = config, responder, channel, ears.model
        self.audio_in, self.audio_out = audio
        self.on_event = on_event
        self.pushed = pushed
        """Push-to-talk: was the talk button pressed (at stream time ``now``) since the last call?"""
        self.wake_phrase = normalize_phrase(str(self.config.wake_phrase))
        self.command = Listener(
            Recognizer(ears.model, grammar=Grammar(phrases=tuple(ears.grammar))),
            config.endpointing,
            min_standout_db=config.min_standout_db,
        )
        self.wake = WakeListener(
            Recognizer(ears.model, grammar=Grammar.for_wake(self.wake_phrase, ears.grammar)),
            self.command,
            config.endpointing,
        )
        self.state = State.WAITING
        self.listen_until: float | None = None
        self.reply: Reply | None = None
        self.misses = 0
        """Utterances in a row that the grammar refused."""
        self.guard_until = float("-inf")
        """Speech that starts before this stream time is the caller's last utterance, not a barge-in."""

    def run(self) -> None:
        """Read the input chunk by chunk and act on it; returns when the input ends."""
        self._enter(self._idle)
        frames = self.audio_in.rate * CHUNK_MS // 1000
        while (chunk := self.audio_in.read(frames)) is not None:
            now = self.audio_in.now()
            if self.state is State.WAITING:
                self._wait_for_wake(chunk, now)
            elif self.state is State.SPEAKING:
                self._speak_or_yield(chunk, now)
            else:
                self._listen(chunk, now)

    @property
    def _idle(self) -> State:
        """Where the loop rests between conversations."""
        return State.LISTENING if self.config.mode is Mode.ALWAYS else State.WAITING

    def _enter(self, state: State, **data: Any) -> None:
        self.state = state
        self._emit("state", state=state.value, **data)

    def _emit(self, kind: str, **data: Any) -> None:
        self.on_event(LoopEvent(kind=kind, at=self.audio_in.now(), data=data))

    def _wait_for_wake(self, chunk: Any, now: float) -> None:
        if self.config.mode is Mode.PUSH_TO_TALK:
            if self.pushed(now):
                self._emit("push")
                self.listen_until = now + self.config.follow_up_s
                self._enter(State.LISTENING)
            return
        wake = self.wake.feed(chunk, now)  # ends just after the wake phrase: the command follows it
        if wake is None:
            return
        self._woken(now)
        if wake.command is not None:  # said in the same breath
            self._understand(wake.command)

    def _woken(self, now: float) -> None:
        """The wake phrase: listen for a command that starts within the follow-up time."""
        self._emit("wake", phrase=self.config.wake_phrase)
        self.listen_until = now + self.config.follow_up_s
        self.misses = 0
        self._enter(State.LISTENING)

    def _listen(self, chunk: Any, now: float) -> None:
        partial_before = self.command.partial
        heard = self.command.feed(chunk, now)
        if self.command.partial and self.command.partial != partial_before:
            self._emit("partial", text=self.command.partial)
        if heard is not None:
            self._understand(heard)
        elif self.listen_until is not None and not self.command.hears_speech and now >= self.listen_until:
            self._emit("timeout", after_s=self.config.follow_up_s)
            self._rest()

    def _rest(self) -> None:
        """Back to where the loop waits between conversations, with the earcon that says so."""
        self._forget()
        if self.config.earcon:
            self.audio_out.play(LISTENING_ENDS, SAMPLE_RATE)
            self._emit("earcon")
        self._enter(self._idle)

    def _forget(self) -> None:
        self.command.reset()
        self.misses = 0
        self.listen_until = None

    def _give_up(self) -> None:
        """Too many misses in a row: back to waiting. When the assistant had asked something, it says how
        to go on (the session keeps the question), rather than go silent on a caller who was answering."""
        asked = self.reply is not None and self.reply.expects_answer
        line = GIVE_UP.get(language_of(self.channel.locale), {}).get(self.config.mode) if asked else None
        said = line.format(wake=self.config.wake_phrase) if line else None
        self._emit("gave_up", misses=self.misses, question_open=asked, text=said)
        self.reply = None
        if said is None:
            self._rest()
            return
        self._forget()
        self._play(self.channel.synthesizer.synthesize(said, self.channel.locale))  # then back to waiting

    def _understand(self, heard: Heard) -> None:
        started = time.perf_counter()
        transcript = heard.transcript
        if heard.speech_start < self.guard_until:  # the tail of the caller's last word: no turn
            return
        if transcript.is_match and normalize_phrase(transcript.text) == self.wake_phrase:
            self._woken(heard.decided_at)  # the wake phrase again: still listening, not a command
            return
        self.misses = 0 if transcript.is_match else self.misses + 1
        said = (
            (transcript.text, transcript.confidence) if transcript.is_match else self._second_opinion(heard)
        )
        if said is None:
            return
        text, confidence = said
        recognized = time.perf_counter()
        self._emit(
            "heard",
            text=text,
            confidence=round(confidence, 3),
            how=heard.how,
            outside_grammar=not transcript.is_match,
            speech_end=round(heard.speech_end, 3),
            endpoint_delay_s=round(heard.decided_at - heard.speech_end, 3),
            recognition_s=round(heard.compute_s + recognized - started, 4),
        )
        self._enter(State.THINKING)
        turn = self.channel.to_turn((text, confidence))
        reply = self.responder.respond(turn)
        routed = time.perf_counter()
        speech = self.channel.to_response(reply, turn)
        synthesized = time.perf_counter()
        self.reply = reply
        self._emit(
            "reply",
            text=reply.text,
            intent=reply.intent,
            expects_answer=reply.expects_answer,
            end_session=reply.end_session,
            routing_s=round(routed - recognized, 4),
            synthesis_s=round(synthesized - routed, 4),
        )
        self._play(speech)

    def _second_opinion(self, heard: Heard) -> tuple[str, float] | None:
        """An utterance the grammar refused (a miss): what the model hears in it in open-vocabulary mode,
        or None when there is nothing to answer. The ``rejected`` event says whether that opinion follows,
        so that the terminal says "not in the grammar" once, on the line of the words heard."""
        asked = self.misses < self.config.max_misses and heard.stands_out
        second = [t for t in transcribe(heard.audio, self.model) if t.text] if asked else []
        wake = bool(second) and self._sounds_like_wake(" ".join(t.text for t in second))
        self._emit(
            "rejected",
            heard=list(heard.transcript.alternatives),
            misses=self.misses,
            background=not heard.stands_out,
            second_opinion=bool(second) and not wake,
            near_wake=wake,
        )
        if self.misses >= self.config.max_misses:
            self._give_up()
            return None
        if wake:  # the wake phrase, said or heard a little wrong: not a command either
            self._woken(heard.decided_at)
            return None
        if not heard.stands_out:  # the room's murmur: nobody to answer
            return None
        if self.listen_until is not None:  # someone talks to the assistant: their next try gets the time
            self.listen_until = heard.decided_at + self.config.follow_up_s
        if not second:  # no word in it either: nothing to answer, the command may still come
            return None
        return " ".join(t.text for t in second), min(t.confidence for t in second)

    def _sounds_like_wake(self, said: str) -> bool:
        """Whether open-vocabulary words are a near miss of the wake phrase ("hey computers", "hallo mijn
        computer"): in ``always`` mode they were answered as a command ("Sorry, I didn't understand")."""
        similar = SequenceMatcher(None, normalize_phrase(said), self.wake_phrase).ratio()
        return similar >= NEAR_WAKE_SIMILARITY

    def _play(self, speech: Speech) -> None:
        """Speak. With barge-in, what the caller still says in its first moments is their last utterance
        (without it, the microphone is not heard while the assistant speaks)."""
        if self.config.barge_in:
            self.guard_until = self.audio_in.now() + self.config.barge_in_guard_s
        self.audio_out.play(speech.samples, speech.rate)
        self._enter(State.SPEAKING)

    def _speak_or_yield(self, chunk: Any, now: float) -> None:
        """While talking, listen for the caller (barge-in): speech stops playback and becomes the next turn.

        With barge-in off the microphone is not heard until the reply ends: it may be hearing the speaker."""
        if not self.config.barge_in:
            if not self.audio_out.playing:
                self._after_reply(now)
            return
        heard = self.command.feed(chunk, now)
        start = self.command.speech_start
        if start is not None and start >= self.guard_until and self.audio_out.playing:
            self.audio_out.stop()
            self._emit("barge_in", speech_start=round(start, 3))
            if self.config.mode is not Mode.ALWAYS:  # the caller is talking: the full time to finish
                self.listen_until = now + self.config.follow_up_s
            self._enter(State.LISTENING)
            if heard is not None:
                self._understand(heard)
            return
        if heard is not None:
            self._understand(heard)
            return
        if not self.audio_out.playing:
            self._after_reply(now)

    def _after_reply(self, now: float) -> None:
        """After every reply that does not end the conversation, listen without the wake phrase for
        the follow-up time: a question asks for an answer, and an answer often brings a next question
        ("and on Sunday?"). The grammar, the stand-out gate and ``max_misses`` still apply."""
        reply = self.reply
        follow_up = reply is not None and not reply.end_session
        if self.config.mode is Mode.ALWAYS or follow_up:
            self.listen_until = now + self.config.follow_up_s if follow_up else None
            self._enter(State.LISTENING, follow_up=follow_up)
        else:
            self._rest()


def build_local_loop(
    assistant: Assistant,
    locale: str,
    audio: tuple[AudioInput, AudioOutput],
    *,
    model_dir: Path | None = None,
    settings: LoopConfig | None = None,
    on_event: Callable[[LoopEvent], None] = lambda event: None,
    pushed: Callable[[float], bool] = lambda now: False,
) -> LocalLoop:
    """The loop of ``assistant`` in ``locale``: its model (``model_dir``, else the configured or installed
    one), a grammar of every phrase its router knows, and the configured voice."""
    language = language_of(locale)
    config = assistant.config
    model = models.load_model(models.resolve_model(language, model_dir or config.models.get(language)))
    settings = settings or LoopConfig()
    phrase = wake_phrase_of(settings, locale)
    ears = Ears(model, grammar_phrases(assistant.router, language, wake_phrase=phrase))
    return LocalLoop(
        assistant,
        LocalChannel(locale, configured_voice(config)),
        ears,
        settings,
        audio,
        on_event=on_event,
        pushed=pushed,
    )


def configured_voice(
    config: Config, locale: str = "", *, voice: str | None = None, rate: int | None = None
) -> EspeakSynthesizer:
    """The config's voice: ``[voices]`` and ``speaking_rate``, for every command that speaks.

    ``voice`` (for ``locale``) and ``rate``, a command's flags, go over the config's.
    """
    voices = {**config.voices, locale: voice} if voice else config.voices
    return EspeakSynthesizer(voices=voices, rate=config.speaking_rate if rate is None else rate)
