"""The speech detector adapts to a quiet talker and to steady noise (issue 17), on fixture audio."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AUDIO, FIXTURE_MODELS, fixture_phrases, room_murmur

from speech import audio, noise
from speech.listen import Heard, Listener
from speech.models import load_model
from speech.stt import Grammar, Recognizer
from speech.vad import EnergyVad


def _speech_frames(samples: np.ndarray) -> list[bool]:
    vad = EnergyVad()
    flags = []
    for chunk in audio.frames(samples, 40):
        flags += [flag and vad.in_speech for flag in vad.feed(chunk)]
    return flags


def test_a_talker_at_minus_50_dbfs_is_heard_and_silence_is_not() -> None:
    quiet = noise.gain(audio.read_wav(AUDIO / "en_fx_where_is_my_order.wav"), -50.0)
    flags = _speech_frames(np.concatenate([audio.silence(1.0), quiet, audio.silence(1.0)]))
    assert not any(flags[:50]) and not any(flags[-45:])
    assert sum(flags) * 0.02 > 0.5, "most of the words count as speech"


@pytest.mark.parametrize("kind", ["white", "hum"])
def test_steady_noise_becomes_the_floor_and_the_pause_is_found(kind: str) -> None:
    speech = audio.read_wav(AUDIO / "en_fx_where_is_my_order.wav")
    clip = np.concatenate([audio.silence(1.0), speech, audio.silence(1.5)])
    sound = noise.white(clip.size, 3) if kind == "white" else noise.hum(clip.size, 3)
    flags = _speech_frames(noise.mix(clip, sound, 10.0, reference=speech))
    assert not any(flags[25:50]), "the noise before the speech is not speech once the floor has followed it"
    assert not any(flags[-60:]), "the noise after the speech is a pause"
    assert sum(flags) * 0.02 >= 0.3  # 0.40 s with hum, 0.56 s with white: the floor rises into long speech


def test_a_room_of_people_talking_starts_no_commands() -> None:
    """A minute of four voices talking at once, no command said: murmur dips between syllables, and with
    its quietest frame as the floor the murmur counted as speech and 9 commands were heard (2 now)."""
    sentences = (
        "The garden was full of birds this morning.",
        "We missed the last train home on Friday.",
        "My brother is painting the fence blue.",
    )
    room = noise.gain((room_murmur("en", sentences, 60, seed=3) * 3000).astype(np.float32), -26.0)
    commands = tuple(p for p in fixture_phrases("en") if p != "hey computer")
    listener = Listener(Recognizer(load_model(FIXTURE_MODELS / "en"), grammar=Grammar(phrases=commands)))
    heard = [listener.feed(chunk, (i + 1) * 0.04) for i, chunk in enumerate(audio.frames(room, 40))]
    assert len([h for h in heard if h is not None and h.transcript.is_match]) <= 3


def _listen(language: str, samples: np.ndarray) -> Heard:
    model = load_model(FIXTURE_MODELS / language)
    listener = Listener(Recognizer(model, grammar=Grammar(phrases=tuple(fixture_phrases(language)))))
    for index, chunk in enumerate(audio.frames(samples, 40)):
        heard = listener.feed(chunk, (index + 1) * 0.04)
        if heard is not None:
            return heard
    raise AssertionError("the utterance never ended")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_white_noise_at_10_db_ends_the_utterance_on_our_own_endpoint(language: str) -> None:
    heard = _listen(language, audio.read_wav(AUDIO / f"{language}_fx_order_1234_snr10.wav"))
    expect = {"en": "where is order one two three four", "nl": "waar is bestelling een twee drie vier"}
    assert heard.transcript.text == expect[language]
    assert heard.how in ("phrase", "silence") and heard.decided_at - heard.speech_end < 0.8


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_quiet_command_is_recognised(language: str) -> None:
    quiet = noise.gain(audio.read_wav(AUDIO / f"{language}_fx_where_is_my_order.wav"), -50.0)
    heard = _listen(language, np.concatenate([audio.silence(0.5), quiet, audio.silence(1.0)]))
    assert heard.transcript.text == {"en": "where is my order", "nl": "waar is mijn bestelling"}[language]
    assert heard.how == "phrase"
