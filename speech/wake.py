"""Listening for the wake phrase, also when the command follows it in the same breath.

The wake listener ends an utterance like any listener: a short silence after the wake phrase. Said in
one breath ("hey computer what are your opening hours") that silence never comes: the partial result
is the wake phrase for a moment, then turns into something else ("hey [unk]", or the wake phrase and
more words), and the final result is no wake phrase. When the partial result leaves the wake phrase
while the speaker goes on, the audio up to each point where the partial result was the wake phrase is
decoded again on its own; the first one whose *final* result is the wake phrase, with the wake
phrase's confidence, ends the wake phrase, and what was said after it goes to the command listener.

That wakes only with the command: partial results pass through the wake phrase on the way to other
words (docs/local.md), so a wake phrase run on into more words counts when the command listener hears a
command of its grammar in them, said on without a pause.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from .audio import SAMPLE_RATE, frames
from .errors import RecognitionError
from .listen import Endpointing, Heard, Listener
from .stt import UNKNOWN_WORD, Grammar, Recognizer, Transcript

MAX_RUN_ON_CUTS = 12
"""The most points of a run-on wake phrase decoded again (0.48 s of 40 ms chunks): the partial result
is the wake phrase from near its end until the next word shows, and the first cuts succeed (the
English fixture model: the second of 12)."""
CHUNK_MS = 40
"""What followed the wake phrase goes to the command listener in chunks of this size, as a microphone's."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Wake:
    """The wake phrase was said."""

    heard: Heard
    command: Heard | None = None
    """The command said after it in the same breath, which the grammar accepted; None after a pause (the
    command listener then hears the command as it comes)."""


@dataclass(slots=True)
class WakeListener:
    """A listener for the wake phrase that hands what follows it to the command listener."""

    recognizer: Recognizer
    """In grammar mode: its phrases are the wake phrase (``Grammar.for_wake``)."""
    command: Listener
    """The listener for the command after the wake."""
    endpointing: Endpointing = field(default_factory=Endpointing)
    listener: Listener = field(init=False)
    probe: Recognizer = field(init=False)
    """A second recognizer with the same grammar, that decodes the audio up to a cut again."""
    _phrases: Grammar = field(init=False)
    _cuts: list[int] = field(default_factory=list)
    """Samples of the utterance (pre-roll included) at the chunks where the partial was the wake phrase."""
    _run_on: Wake | None = None
    """A wake phrase run on into more words, waiting for the command listener's verdict on them."""

    def __post_init__(self) -> None:
        if self.recognizer.grammar is None:
            raise RecognitionError("the wake listener needs a grammar of the wake phrase; give it one.")
        self._phrases = self.recognizer.grammar
        # wakes and false wakes were measured with 700 ms after any start of a phrase, no partial result
        # taken for a refused final, and no standout check (docs/local.md)
        self.listener = Listener(
            self.recognizer,
            self.endpointing.without_prefix_wait(),
            rescue_partials=False,
            min_standout_db=None,
        )
        self.probe = Recognizer(self.recognizer.model, grammar=self.recognizer.grammar)

    def feed(self, chunk: np.ndarray, now: float) -> Wake | None:
        """Feed the chunk that ends at stream time ``now``; returns the wake when it was said."""
        if self._run_on is not None:
            return self._command(self._run_on, chunk, now)
        heard = self.listener.feed(chunk, now)
        if heard is not None and heard.transcript.is_match:
            self._cuts = []
            return Wake(heard=heard)
        if heard is None and not self._left_wake_phrase():
            return None
        cuts, self._cuts = self._cuts, []
        if heard is None:  # the partial left the wake phrase while the speaker went on
            said, samples, start = self.listener.partial, self.listener.samples(), self.listener.speech_start
        else:  # ended refused: the closure of a "t" ("... talk") can end it in the next word
            said, samples, start = (
                next(iter(heard.transcript.alternatives), ""),
                heard.audio,
                heard.speech_start,
            )
        if not cuts or not self._runs_on(said):
            return None
        return self._ran_on(cuts, samples, start, now)

    def _left_wake_phrase(self) -> bool:
        """Keeps a cut while the partial result is the wake phrase; True when it has turned into other
        words after being the wake phrase."""
        partial = self.listener.partial
        if not partial:
            return False
        if self._phrases.accepts(partial):
            self._cuts.append(self.listener.samples().size)
            return False
        return bool(self._cuts)

    def _runs_on(self, said: str) -> bool:
        """Whether ``said`` can be a wake phrase that runs on: the wake phrase and more words, or the start
        of it and a stretch the model does not know (``[unk]``, which a final result leaves out), not a
        near miss that changes its words ("hey computers")."""
        words = said.split()
        known = words[: words.index(UNKNOWN_WORD)] if UNKNOWN_WORD in words else words
        return any(
            known == wake[: len(known)] or known[: len(wake)] == wake
            for wake in (phrase.split() for phrase in self._phrases.phrases)
        )

    def _ran_on(self, cuts: list[int], samples: np.ndarray, start: float | None, now: float) -> Wake | None:
        """The wake phrase decoded on its own from the start of ``samples`` (the utterance up to ``now``,
        speech from ``start``) to the first cut where its final result is the wake phrase; what follows
        the cut goes to the command listener."""
        started = time.perf_counter()
        for cut in cuts[:MAX_RUN_ON_CUTS]:
            if (said := self._decoded(samples[:cut])).is_match:
                break
        else:
            return None
        end = now - (samples.size - cut) / SAMPLE_RATE
        heard = Heard(
            transcript=said,
            speech_start=end if start is None else start,
            speech_end=end,
            decided_at=now,
            how="run_on",
            compute_s=time.perf_counter() - started,
            audio=samples[:cut],
        )
        self.listener.reset()
        self.command.follow(_before(heard, samples, now))
        self._run_on = Wake(heard=heard)
        at = end
        for piece in frames(samples[cut:], CHUNK_MS):
            at += piece.size / SAMPLE_RATE
            if (wake := self._command(self._run_on, piece, at)) is not None or self._run_on is None:
                return wake
        return None

    def _command(self, wake: Wake, chunk: np.ndarray, now: float) -> Wake | None:
        """After a wake phrase that ran on: the wake, once the command listener accepts a command that
        followed it without a pause; nothing when it refuses what followed, or nothing followed."""
        heard = self.command.feed(chunk, now)
        pause_s = now - wake.heard.speech_end
        if heard is None and (self.command.hears_speech or pause_s * 1000 < self.endpointing.silence_ms):
            return None
        self._run_on = None
        if heard is None or not heard.transcript.is_match:
            self.command.reset()
            return None
        return replace(wake, command=heard)

    def _decoded(self, samples: np.ndarray) -> Transcript:
        """The final result of ``samples`` alone."""
        self.probe.reset()
        final = self.probe.accept(samples)
        return final if final is not None else self.probe.finish()

    def reset(self) -> None:
        self.listener.reset()
        self._cuts = []
        self._run_on = None


def _before(heard: Heard, samples: np.ndarray, now: float) -> np.ndarray:
    """The sound before the wake phrase in ``samples`` (what the listener held up to ``now``): the
    command listener measures a command run on from the wake phrase against it, as it has no quiet
    stretch of its own before it (``Listener.follow``)."""
    began = now - samples.size / SAMPLE_RATE
    return samples[: max(0, round((heard.speech_start - began) * SAMPLE_RATE))]
