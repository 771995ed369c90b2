"""The local loop's settings and what it reports: its modes, states, events and ``LoopConfig``, and the
checks that its model can hear the wake phrase and the commands (``check_vocabulary``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from speech import models
from speech.listen import STANDOUT_DB, Endpointing
from speech.stt import normalize_phrase, unknown_words

from ..errors import VoiceError
from ..grammar import WAKE_PHRASES
from ..language import language_of


class Mode(Enum):
    WAKE_WORD = "wake"
    """Listen after the wake phrase."""
    PUSH_TO_TALK = "push"
    """Listen after the talk button (Enter in the terminal)."""
    ALWAYS = "always"
    """Every utterance is a command."""


GIVE_UP = {
    "en": {
        Mode.WAKE_WORD: "Sorry, I didn't catch that. Say {wake} when you want to go on.",
        Mode.PUSH_TO_TALK: "Sorry, I didn't catch that. Press the button when you want to go on.",
    },
    "nl": {
        Mode.WAKE_WORD: "Sorry, dat verstond ik niet. Zeg {wake} als u verder wilt.",
        Mode.PUSH_TO_TALK: "Sorry, dat verstond ik niet. Druk op de knop als u verder wilt.",
    },
}
"""What the loop says when it stops listening, by misses, while a question is open (the dialog never
hears the misses, so this is the loop's own line); a language without one gets the ``gave_up`` event only."""


class State(Enum):
    WAITING = "waiting"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopEvent:
    """Something the loop did, at a point of the stream clock."""

    kind: str
    """``state``, ``wake``, ``partial``, ``heard``, ``rejected``, ``gave_up``, ``reply``, ``barge_in``,
    ``timeout``, ``earcon``."""
    at: float
    """Stream seconds."""
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, "at": round(self.at, 3), **self.data}


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopConfig:
    wake_phrase: str | None = None
    """None: the language's default (``WAKE_PHRASES``)."""
    mode: Mode = Mode.WAKE_WORD
    follow_up_s: float = 6.0
    """How long to wait for the start of a command after the wake word, or of the next one after a reply."""
    max_misses: int = 2
    """Utterances in a row the grammar refuses before the loop stops answering and goes back to waiting
    (speech nearby that woke it by mistake, or that it cannot understand)."""
    endpointing: Endpointing = field(default_factory=Endpointing)
    min_standout_db: float | None = STANDOUT_DB
    """How far a command must rise above the sound around it (``speech.listen.STANDOUT_DB``); ``None``
    takes every command the grammar accepts, murmur in the room included."""
    barge_in: bool = False
    """Speech while the assistant talks stops playback and becomes the next turn. Off by default: without
    echo cancellation the microphone hears the speaker, and every reply would interrupt itself."""
    earcon: bool = True
    """A short falling tone when the loop stops listening for a command and goes back to where it rests
    (the follow-up time ran out, too many misses, the conversation ended): hands-free, nothing else tells
    the caller that the next words need the wake phrase (or the button) again."""
    barge_in_guard_s: float = 0.3
    """Speech that starts before a reply, or within this many seconds after it began, is the end of the
    caller's own utterance (the early endpoint can fire on the quiet end of the last word), not a barge-in:
    nobody reacts to a reply that fast. It is dropped, and the reply plays on."""


@dataclass(frozen=True, slots=True)
class Ears:
    """The recognizer side of the loop: a Vosk model and the phrases it may accept."""

    model: Any
    grammar: Sequence[str]


def wake_phrase_of(settings: LoopConfig, locale: str) -> str:
    """The configured wake phrase, else the default of the locale's language."""
    return settings.wake_phrase or WAKE_PHRASES.get(language_of(locale), "hey computer")


def check_vocabulary(ears: Ears, settings: LoopConfig, locale: str) -> None:
    """Vosk silently drops the words its model does not know from a grammar: a wake phrase or commands
    made of such words would leave the loop waiting forever without a word. A model that says it is
    for another language is named as such: its missing words are not the problem."""
    wake = str(settings.wake_phrase)
    unknown = unknown_words(ears.model, wake)
    if settings.mode is Mode.WAKE_WORD and unknown:
        _check_language(ears.model, locale)
        raise VoiceError(
            f"the speech model does not know {_listed(unknown)} of the wake phrase {wake!r}; "
            "choose another wake phrase (voice run --wake) or a model for this language (--model)."
        )
    commands = [p for p in ears.grammar if normalize_phrase(p) != normalize_phrase(wake)]
    unknown_in = [unknown_words(ears.model, phrase) for phrase in commands]
    if not commands or not all(unknown_in):
        return
    _check_language(ears.model, locale)
    words = dict.fromkeys(word for phrase_words in unknown_in for word in phrase_words)
    raise VoiceError(
        f"the speech model knows none of the skills' phrases (not {_listed(tuple(words)[:5])}); "
        "choose a model for this language (voice run --model)."
    )


def _check_language(model: Any, locale: str) -> None:
    """Refuse a model whose folder says it is for another language (``LANG``, a fixture model's card,
    a name like ``vosk-model-small-en-us-0.15``); one that does not say passes."""
    folder = models.loaded_from(model)
    said = models.model_language(folder) if folder is not None else ""
    wanted = language_of(locale)
    if said and language_of(said) != wanted:
        raise VoiceError(
            f"the speech model in {folder} is for {said!r}, not {wanted!r}; choose a model for {wanted!r} "
            f"(voice run --model, or 'voice models pull {wanted}')."
        )


def _listed(words: tuple[str, ...]) -> str:
    return ", ".join(repr(word) for word in words)
