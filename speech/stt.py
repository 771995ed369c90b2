"""Streaming speech recognition with Vosk, as typed ``Transcript`` values.

Open mode transcribes anything the model knows. Grammar mode restricts recognition to
a phrase list and *rejects* speech outside it: Vosk itself always forces the closest
phrase (or a fragment of one), so a result only counts when it is one whole phrase of
the grammar with enough confidence; otherwise the transcript is a no-match that keeps
what Vosk heard in ``alternatives``. Out-of-grammar speech is absorbed by ``[unk]`` where
the model has it, and by optional filler words.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .audio import SAMPLE_RATE, frames, to_int16
from .errors import RecognitionError
from .gate import NoiseGate
from .models import load_model, loaded_from
from .steady import Dither, dither_of

_LOGGER = logging.getLogger(__name__)

DEFAULT_REJECT_BELOW = 0.5
"""Grammar-mode results whose mean word confidence is lower are rejected."""
DEFAULT_WORD_REJECT_BELOW = 0.7
"""Grammar-mode results with a word less confident than this are rejected (bench/speech_robustness.py:
out-of-scope speech forced onto a phrase usually has one word Vosk's lattice doubts)."""
WAKE_WORD_REJECT_BELOW = 0.85
"""The wake phrase's words need more confidence than a command's: a false wake starts a conversation
nobody asked for. Unseen voices say "hey computer" and "hallo computer" with every word at 1.0 when the
room is quiet; the near misses that passed 0.7 ("hey come here", "hey computers") had a word at 0.78-0.84
(bench/speech_robustness.py, tests/speech/test_fixture_model.py; docs/local.md has the margins)."""

UNKNOWN_WORD = "[unk]"


@dataclass(frozen=True, slots=True, kw_only=True)
class Word:
    """One recognised word with its timing."""

    word: str
    start: float
    """Seconds from the start of the stream."""
    end: float
    """Seconds from the start of the stream."""
    conf: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Transcript:
    """What the recognizer heard: partial while speech goes on, final at an endpoint."""

    text: str
    confidence: float = 0.0
    """Mean word confidence, 0..1."""
    words: tuple[Word, ...] = ()
    is_final: bool = False
    alternatives: tuple[str, ...] = ()
    """Other hypotheses; for a rejected grammar result, what Vosk forced."""

    @property
    def is_match(self) -> bool:
        """True when something was recognised (not silence, not a rejected utterance)."""
        return bool(self.text)

    def refused(self, heard: str | None = None) -> Transcript:
        """A no-match that keeps what was heard (``heard``, else this text) as its alternative."""
        said = self.text if heard is None else heard
        return Transcript(text="", confidence=self.confidence, is_final=self.is_final, alternatives=(said,))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "is_final": self.is_final,
            "alternatives": list(self.alternatives),
            "words": [
                {"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3), "conf": round(w.conf, 3)}
                for w in self.words
            ],
        }


def normalize_phrase(text: str) -> str:
    """Lower case, no punctuation, single spaces: how grammar phrases are compared."""
    return " ".join(re.sub(r"[^\w\s'\[\]-]", " ", text.lower()).split())


def unknown_words(model: Any, phrase: str) -> tuple[str, ...]:
    """The words of ``phrase`` that ``model`` does not know: Vosk drops them from a grammar without a word."""
    return tuple(word for word in normalize_phrase(phrase).split() if model.vosk_model_find_word(word) < 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Grammar:
    """A phrase list that recognition is restricted to."""

    phrases: tuple[str, ...]
    fillers: tuple[str, ...] = ()
    """Extra words or phrases that other speech can fall onto instead of a phrase (never accepted)."""
    reject_below: float = DEFAULT_REJECT_BELOW
    word_reject_below: float = DEFAULT_WORD_REJECT_BELOW
    """Reject a result when any of its words is less confident than this (word posteriors)."""
    _accepted: frozenset[str] = field(init=False, repr=False, compare=False)
    _prefixes: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        phrases = tuple(dict.fromkeys(normalize_phrase(p) for p in self.phrases if normalize_phrase(p)))
        if not phrases:
            raise RecognitionError("the grammar has no phrases; give at least one phrase to listen for.")
        object.__setattr__(self, "phrases", phrases)
        object.__setattr__(self, "_accepted", frozenset(phrases))
        words = [p.split() for p in phrases]
        object.__setattr__(
            self, "_prefixes", frozenset(" ".join(w[:n]) for w in words for n in range(1, len(w)))
        )

    @classmethod
    def for_wake(cls, wake_phrase: str, commands: Iterable[str]) -> Grammar:
        """The wake listener's grammar: the commands compete with the wake phrase as fillers, so a
        command said without it is not taken for it, and every word must reach
        ``WAKE_WORD_REJECT_BELOW``."""
        wake = normalize_phrase(wake_phrase)
        fillers = tuple(phrase for phrase in commands if normalize_phrase(phrase) != wake)
        return cls(phrases=(wake,), fillers=fillers, word_reject_below=WAKE_WORD_REJECT_BELOW)

    def vosk_json(self, model: Any) -> str:
        """The grammar as Vosk takes it, with ``[unk]`` where the model knows it."""
        extra = [normalize_phrase(f) for f in self.fillers] + [UNKNOWN_WORD]
        known = [phrase for phrase in extra if not unknown_words(model, phrase)]
        return json.dumps([*self.phrases, *known], ensure_ascii=False)

    def accepts(self, text: str) -> bool:
        """True when ``text`` is one whole phrase of the grammar."""
        return normalize_phrase(text) in self._accepted

    def continues(self, text: str) -> bool:
        """True when ``text`` is the start of a longer phrase: the speaker may not be done."""
        return normalize_phrase(text) in self._prefixes

    def _confident(self, heard: Transcript) -> bool:
        least = min((w.conf for w in heard.words), default=heard.confidence)
        return heard.confidence >= self.reject_below and least >= self.word_reject_below

    def judge(self, heard: Transcript) -> Transcript:
        """Keep ``heard`` if it is a whole phrase said with confidence, else a no-match.

        Both sides are compared normalised: a model whose words carry punctuation ("3:15", "no,")
        gives them back as it knows them."""
        if not heard.text or (self.accepts(heard.text) and self._confident(heard)):
            return heard
        return heard.refused()


class Recognizer:
    """A streaming Vosk recognizer: feed chunks, read partials, get finals at endpoints."""

    def __init__(
        self,
        model: str | Path | Any,
        *,
        rate: int = SAMPLE_RATE,
        grammar: Grammar | Sequence[str] | None = None,
    ) -> None:
        import vosk

        self.model = load_model(model) if isinstance(model, (str, Path)) else model
        self.rate = rate
        self.grammar: Grammar | None = (
            grammar if grammar is None or isinstance(grammar, Grammar) else Grammar(phrases=tuple(grammar))
        )
        try:
            if self.grammar is None:
                self._vosk = vosk.KaldiRecognizer(self.model, float(rate))
            else:
                self._vosk = vosk.KaldiRecognizer(self.model, float(rate), self.grammar.vosk_json(self.model))
        except Exception as exc:  # vosk raises a bare Exception
            raise RecognitionError(f"Vosk could not create a recognizer at {rate} Hz: {exc}.") from exc
        self._vosk.SetWords(True)  # not SetPartialWords: in vosk 0.3.45 it empties grammar-mode partials
        folder = loaded_from(self.model)
        fixture, own_graph = _fixture_model(folder) if folder is not None else (False, False)
        self._gate = NoiseGate(rate=int(rate)) if fixture else None
        dither = dither_of(folder) if folder is not None else 0.0
        self._dither = Dither(dither) if dither else None
        """A steady copy's dither (``speech.steady``), added here from a seeded generator."""
        self._fixed_fixture_graph = own_graph
        """A fixture model's own phrase graph, where the wake phrase may follow ``[unk]`` (``build_hclg``)."""

    def accept(self, chunk: np.ndarray | bytes) -> Transcript | None:
        """Feed int16 audio; returns the final transcript when Vosk detects an endpoint."""
        if self._gate is None and self._dither is None:
            data = chunk if isinstance(chunk, bytes) else to_int16(chunk).tobytes()
        else:
            data = self._prepared(_samples(chunk)).tobytes()
        if self._vosk.AcceptWaveform(data):
            return self._final(self._vosk.Result())
        return None

    def _prepared(self, samples: np.ndarray) -> np.ndarray:
        """Gated, then dithered: Kaldi dithers whatever it is given."""
        return self._dithered(samples if self._gate is None else self._gate.feed(samples))

    def _dithered(self, samples: np.ndarray) -> np.ndarray:
        return samples if self._dither is None else self._dither.add(samples)

    def partial(self) -> Transcript:
        """What has been heard so far in the current utterance."""
        return Transcript(text=json.loads(self._vosk.PartialResult()).get("partial", ""))

    def finish(self) -> Transcript:
        """Force the end of the utterance (end of stream, or our own endpoint)."""
        if self._gate:
            rest = self._dithered(self._gate.flush())  # what it held back, dithered like the rest
            if self._vosk.AcceptWaveform(rest.tobytes()):  # an endpoint in it
                return self._final(self._vosk.Result())
        return self._final(self._vosk.FinalResult())

    def reset(self) -> None:
        """Drop the current utterance and start afresh."""
        if self._gate:
            self._gate.drop()
        self._vosk.Reset()

    def _final(self, raw: str) -> Transcript:
        result = json.loads(raw)
        if self._fixed_fixture_graph:
            result = _without_leading_unknown(result)
        words = tuple(_word(w) for w in result.get("result", []) if w.get("word") != UNKNOWN_WORD)
        text = " ".join(w.word for w in words) if words else result.get("text", "").replace(UNKNOWN_WORD, "")
        heard = Transcript(
            text=" ".join(text.split()), confidence=_mean_conf(words), words=words, is_final=True
        )
        unknown_heard = UNKNOWN_WORD in result.get("text", "")
        if self.grammar is None:
            # a fixture model's fixed graph ends speech it does not know in [unk] after a phrase's first
            # words ("i would like to [unk]"): those words alone are no transcript of what was said
            return heard.refused(result["text"]) if unknown_heard else heard
        judged = self.grammar.judge(heard)
        if unknown_heard and judged.is_match:  # a word the model does not know: no transcript of it
            return heard.refused(result["text"])
        return judged


def _without_leading_unknown(result: dict[str, Any]) -> dict[str, Any]:
    """A fixture graph's wake phrase after ``[unk]`` (words or murmur before it), without the ``[unk]``;
    only the fixed graph has that path, so in a runtime grammar a leading ``[unk]`` still refuses the
    result (the real Korean model woke falsely 3 times instead of 2 in bench/speech_robustness.py with it)."""
    words = result.get("result", [])
    known = next((i for i, word in enumerate(words) if word.get("word") != UNKNOWN_WORD), 0)
    if not known:
        return result
    rest = words[known:]
    return {**result, "result": rest, "text": " ".join(str(word.get("word", "")) for word in rest)}


def _samples(chunk: np.ndarray | bytes) -> np.ndarray:
    if not isinstance(chunk, bytes):
        return to_int16(chunk)
    if len(chunk) % 2:
        raise RecognitionError(
            f"an audio chunk of {len(chunk)} bytes is not whole 16-bit samples; send an even number of bytes."
        )
    return np.frombuffer(chunk, dtype=np.int16)


@cache
def _fixture_model(folder: Path) -> tuple[bool, bool]:
    """Whether the model in ``folder`` is a fixture model, and whether it has its own phrase graph.

    Fixture models get the noise gate (``speech.gate``): trained on espeak-ng's digital silence,
    without feature normalisation, they hear a room's murmur as words. A real model normalises its
    features and was trained on real rooms; gated, the real Korean model lost commands in white noise
    at 20 and 30 dB that it hears ungated. Known by its folder: a model given as a path (or loaded with
    ``load_model``), not a ``vosk.Model`` built by hand. Read once per folder: ``transcribe`` makes a
    recognizer per recording."""
    from .fixture_model import is_fixture_model

    fixture = is_fixture_model(folder)
    return fixture, fixture and (folder / "graph" / "HCLG.fst").is_file()


def _word(raw: dict[str, Any]) -> Word:
    return Word(
        word=raw["word"], start=float(raw["start"]), end=float(raw["end"]), conf=float(raw.get("conf", 1.0))
    )


def _mean_conf(words: Sequence[Word]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0


def stream(
    recognizer: Recognizer, chunks: Iterable[np.ndarray], *, partials: bool = True
) -> Iterator[Transcript]:
    """Feed chunks; yield changed partials (if asked) and every final, then the last final."""
    last_partial = ""
    for chunk in chunks:
        final = recognizer.accept(chunk)
        if final is not None:
            last_partial = ""
            if final.is_match or final.alternatives:
                yield final
        elif partials:
            partial = recognizer.partial()
            if partial.text and partial.text != last_partial:
                last_partial = partial.text
                yield partial
    final = recognizer.finish()
    if final.is_match or final.alternatives:
        yield final


def transcribe(
    samples: np.ndarray,
    model: str | Path | Any,
    *,
    grammar: Grammar | Sequence[str] | None = None,
    rate: int = SAMPLE_RATE,
    chunk_ms: int = 100,
) -> list[Transcript]:
    """Recognise a whole recording; returns its final transcripts (one per utterance)."""
    recognizer = Recognizer(model, rate=rate, grammar=grammar)
    return [t for t in stream(recognizer, frames(samples, chunk_ms, rate), partials=False) if t.is_final]
