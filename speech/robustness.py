"""How well grammar-mode recognition holds up: conditions, utterances and scores (bench/speech_robustness.py).

A *condition* is what happens to speech between the caller and the recognizer: noise of a kind
at an SNR, a telephone line, or a voice, rate or pitch the model never heard. Each utterance is
decoded the way the local loop decodes a command (``speech.stt`` in grammar mode, whole
utterance, silence around it) and scored: in-scope speech must come out as its phrase,
out-of-scope speech must be refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import noise
from .audio import silence
from .stt import Grammar, Transcript, normalize_phrase, transcribe

NOISE_KINDS = ("white", "babble", "hum")
NOISE_SNRS = (20.0, 10.0, 5.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """What the speech goes through: noise, a phone line, or an unseen rate or pitch."""

    name: str
    noise: str | None = None
    snr_db: float | None = None
    telephone: bool = False
    rate: int | None = None
    """Words per minute instead of the utterance's own."""
    pitch: int | None = None


def conditions() -> list[Condition]:
    """Clean; white, babble and hum at 20, 10 and 5 dB; a telephone line; rates 120 and 250; pitch 20, 80."""
    found = [Condition(name="clean")]
    found += [Condition(name=f"{k}_{s:g}", noise=k, snr_db=s) for k in NOISE_KINDS for s in NOISE_SNRS]
    found += [Condition(name="telephone", telephone=True)]
    found += [Condition(name=f"rate_{r}", rate=r) for r in (120, 250)]
    found += [Condition(name=f"pitch_{p}", pitch=p) for p in (20, 80)]
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Spoken:
    """One utterance as heard: padded audio, what was said and whether it is in the grammar."""

    text: str
    audio: np.ndarray
    speech: np.ndarray
    """The speech alone (the SNR reference)."""
    in_scope: bool


def heard(
    speech: np.ndarray, text: str, in_scope: bool, condition: Condition, *, seed: int, babble: np.ndarray
) -> Spoken:
    """``speech`` with silence around it, through ``condition``."""
    padded = np.concatenate([silence(0.4), speech, silence(0.6)])
    if condition.telephone:
        padded = noise.telephone(padded)
    if condition.noise is not None and condition.snr_db is not None:
        padded = noise.mix(
            padded, _noise(condition.noise, padded.size, seed, babble), condition.snr_db, reference=speech
        )
    return Spoken(text=text, audio=padded, speech=speech, in_scope=in_scope)


def _noise(kind: str, length: int, seed: int, babble: np.ndarray) -> np.ndarray:
    if kind == "white":
        return noise.white(length, seed)
    if kind == "hum":
        return noise.hum(length, seed, mains_hz=50.0 if seed % 2 else 60.0)
    start = (seed * 7919) % max(1, babble.size - length)
    return np.resize(babble[start:], length)


@dataclass(slots=True)
class Score:
    """Counts for one condition; ``figures()`` turns them into rates."""

    in_scope: int = 0
    correct: int = 0
    rejected: int = 0
    words: int = 0
    word_errors: int = 0
    out_of_scope: int = 0
    false_accepts: int = 0
    examples: list[tuple[str, str]] = field(default_factory=list)
    """Out-of-scope utterances accepted: (said, heard)."""

    def add(self, spoken: Spoken, result: str) -> None:
        if spoken.in_scope:
            self.in_scope += 1
            self.correct += normalize_phrase(result) == normalize_phrase(spoken.text)
            self.rejected += not result
            reference = normalize_phrase(spoken.text).split()
            self.words += len(reference)
            self.word_errors += edit_distance(reference, normalize_phrase(result).split())
        else:
            self.out_of_scope += 1
            if result:
                self.false_accepts += 1
                self.examples.append((spoken.text, result))

    def figures(self) -> dict[str, Any]:
        def rate(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return {
            "command_acc": rate(self.correct, self.in_scope),
            "word_acc": rate(self.words - self.word_errors, self.words),
            "reject": rate(self.rejected, self.in_scope),
            "false_accept": rate(self.false_accepts, self.out_of_scope),
            "n_in": self.in_scope,
            "n_out": self.out_of_scope,
        }


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Word-level Levenshtein distance (substitutions, deletions, insertions)."""
    row = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]


Decoder = Callable[[np.ndarray], str]
"""Audio -> the accepted text ("" when refused)."""


def grammar_decoder(model: Any, grammar: Grammar, *, not_commands: Sequence[str] = ()) -> Decoder:
    """Decode like the local loop's command listener: grammar mode, accepted finals joined. A result in
    ``not_commands`` is no command: the loop takes the wake phrase heard while listening as a wake."""
    skipped = {normalize_phrase(text) for text in not_commands}

    def decode(samples: np.ndarray) -> str:
        finals: list[Transcript] = transcribe(samples, model, grammar=grammar)
        return " ".join(t.text for t in finals if t.is_match and normalize_phrase(t.text) not in skipped)

    return decode


def score(spoken: Sequence[Spoken], decode: Decoder) -> Score:
    """Decode every utterance and count."""
    result = Score()
    for item in spoken:
        result.add(item, decode(item.audio))
    return result
