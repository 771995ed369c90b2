"""The listener's own endpointing, with the real Korean model: what it keeps while nobody speaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import AUDIO, KOREAN_PHRASES

from speech import audio, stt
from speech.listen import PRE_ROLL_S, Listener


def test_long_silence_is_not_kept_only_a_short_pre_roll(korean_model: Path) -> None:
    """A wake listener can wait for hours; the audio it keeps must not grow with the wait."""
    listener = Listener(stt.Recognizer(korean_model, grammar=stt.Grammar(phrases=KOREAN_PHRASES)))
    command = audio.read_wav(AUDIO / "ko_music_on_175.wav")
    stream = np.concatenate([audio.silence(30.0), command, audio.silence(2.0)])
    heard = None
    for number, chunk in enumerate(audio.frames(stream, 40), start=1):
        heard = listener.feed(chunk, number * 0.04)
        if heard is not None:
            break
    assert heard is not None and heard.transcript.text == "음악 틀어"
    kept_s = audio.duration(heard.audio)
    assert kept_s <= audio.duration(command) + PRE_ROLL_S + 1.0, kept_s
