"""The wake listener through real Vosk with the committed fixture models: the wake phrase run on into the
command in one breath, and near misses of the wake phrase (espeak-ng voices the models never heard)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AUDIO, FIXTURE_MODELS, fixture_phrases

from speech import audio
from speech.fixture_model import held_out_utterances
from speech.listen import Listener
from speech.stt import Grammar, Recognizer
from speech.tts import EspeakCliSynthesizer
from speech.wake import Wake, WakeListener
from voice.grammar import WAKE_PHRASES


def _first_wake(language: str, said: np.ndarray) -> Wake | None:
    """The first wake in ``said``, None when it does not wake."""
    phrases = fixture_phrases(language)
    command = Listener(Recognizer(FIXTURE_MODELS / language, grammar=Grammar(phrases=phrases)))
    grammar = Grammar.for_wake(WAKE_PHRASES[language], phrases)
    listener = WakeListener(Recognizer(FIXTURE_MODELS / language, grammar=grammar), command)
    stream = np.concatenate([audio.silence(0.5), said, audio.silence(1.5)])
    for number, chunk in enumerate(audio.frames(stream, 40), start=1):
        if (wake := listener.feed(chunk, number * 0.04)) is not None:
            return wake
    return None


@pytest.mark.parametrize(
    ("language", "name", "command"),
    [
        ("en", "en_fx_wake_opening_hours", "what are your opening hours"),
        ("nl", "nl_fx_wake_opening_hours", "wat zijn jullie openingstijden"),
        ("en", "en_fx_wake_talk_to_a_person", "talk to a person"),
    ],
    ids=["en-partial-moves-on", "nl-partial-moves-on", "en-ended-refused"],
)
def test_a_wake_phrase_run_on_into_the_command_wakes_with_the_command(
    language: str, name: str, command: str
) -> None:
    """Before, the partial result turned from the wake phrase into "hey [unk]", and the final result
    was refused: no wake, the command lost."""
    wake = _first_wake(language, audio.read_wav(AUDIO / f"{name}.wav"))
    assert wake is not None, "no wake"
    assert wake.heard.how == "run_on" and wake.heard.transcript.text == WAKE_PHRASES[language]
    assert wake.command is not None and wake.command.transcript.text == command
    assert wake.heard.speech_end <= wake.command.speech_start + 0.1


def test_a_wake_phrase_run_on_into_words_outside_the_grammar_does_not_wake() -> None:
    """The wake phrase passes through the partial results of talk that is not for the assistant: run on
    into words, it wakes only with a command."""
    synthesizer = EspeakCliSynthesizer(voices={"en": "en-us+f5"})
    speech = synthesizer.synthesize("hey computer the weather was lovely and warm", "en")
    assert _first_wake("en", audio.resample(speech.samples, speech.rate, audio.SAMPLE_RATE)) is None


NEAR_MISSES = {"en": ("hey computers", "hey commuter"), "nl": ("hallo computers", "hallo commissaris")}
"""Near misses that start like the wake phrase: the partial result passes through it. "hey computers"
and "hallo computers" woke the listener once the partial result left the wake phrase for them and the
audio up to it was decoded again as the wake phrase; a near miss that changes its words does not run on."""


_VOICES = {
    "en": ("en-us+f5", "en-us+m7", "en+steph", "en+iven3"),
    "nl": ("nl+f5", "nl+m7", "nl+steph", "nl+iven3"),
}
"""Held-out voices of both sexes and two others."""


@pytest.mark.parametrize("language", ["en", "nl"])
def test_near_misses_do_not_wake_the_wake_listener(language: str) -> None:
    utterances = held_out_utterances(NEAR_MISSES[language], language, voices=_VOICES[language])
    woke = {
        (u.text, u.synthesis.job.voice, u.synthesis.job.rate): found.heard.how
        for u in utterances
        if (found := _first_wake(language, u.audio)) is not None
    }
    assert woke == {}
