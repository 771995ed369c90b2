"""Held-out test speech and a plain Vosk decode, shared by the tests and the benchmark.

Held-out speech uses voice variants and speaking rates that training never heard, with
silence around it as a recording would have, so it measures what a skill's audio tests
will see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from speech.audio import SAMPLE_RATE, frames
from speech.fixture_model.dataset import add_noise
from speech.fixture_model.synth import Synthesis, SynthesisJob, synthesize_many
from speech.fixture_model.voices import HELD_OUT_RATES, locale_voices

_LEAD = SAMPLE_RATE // 4
"""Samples of silence before held-out speech."""
_TAIL = SAMPLE_RATE // 2
"""Samples of silence after it."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class HeldOutUtterance:
    """A held-out phrase: padded audio and the espeak-ng synthesis it came from."""

    text: str
    audio: np.ndarray
    """int16 at 16 kHz, with silence before and after the speech."""
    synthesis: Synthesis
    lead: int = _LEAD
    """Samples of silence before the speech starts."""


def held_out_utterances(
    phrases: Sequence[str], locale: str, *, snr_db: float | None = None, voices: Sequence[str] | None = None
) -> list[HeldOutUtterance]:
    """Every phrase in every held-out voice (or ``voices``) at every held-out rate, optionally noisy."""
    chosen = voices if voices is not None else locale_voices(locale).held_out
    jobs = [SynthesisJob(text=p, voice=v, rate=r) for p in phrases for v in chosen for r in HELD_OUT_RATES]
    utterances = []
    for index, synthesis in enumerate(synthesize_many(jobs)):
        audio = np.concatenate([np.zeros(_LEAD, np.int16), synthesis.audio, np.zeros(_TAIL, np.int16)])
        if snr_db is not None:
            audio = add_noise(audio, snr_db, seed=index, reference=synthesis.audio)
        utterances.append(HeldOutUtterance(text=synthesis.job.text, audio=audio, synthesis=synthesis))
    return utterances


def recognise(model: Any, audio: np.ndarray, *, grammar: Sequence[str] | None = None) -> dict[str, Any]:
    """Vosk's final result (with word times) for 16 kHz int16 ``audio``, fed in 0.1 s chunks."""
    import vosk

    if grammar is None:
        recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
    else:
        recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, json.dumps(list(grammar)))
    recognizer.SetWords(True)
    for chunk in frames(audio, 100):
        recognizer.AcceptWaveform(chunk.tobytes())
    result: dict[str, Any] = json.loads(recognizer.FinalResult())
    return result
