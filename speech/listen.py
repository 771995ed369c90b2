"""Listening for one utterance: streaming recognition with endpointing of our own.

Vosk's endpoint rules wait about 0.8 s of silence before they finalise, although the
partial result often holds the whole command before the speech ends. The listener ends
the utterance sooner when the partial result is a complete phrase of the grammar and a
short silence follows, and otherwise after a longer silence; Vosk's own endpoint still
counts. A pause inside a sentence leaves a partial that starts a phrase and is no whole
one; the listener then waits longest (``Endpointing.prefix_silence_ms``), so people are not
cut off mid-sentence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from .audio import SAMPLE_RATE, as_float
from .stt import Recognizer, Transcript
from .vad import SILENT_DB, EnergyVad

RESCUED_CONFIDENCE = 0.6
"""Confidence given to a phrase taken from the partial results."""


PRE_ROLL_S = 1.0
"""Seconds of audio kept from before the speech starts, for the second opinion; older silence is dropped."""

STANDOUT_DB = 8.0
"""How far a command's loudest moments must rise above the median level of what the listener heard
(``standout_db``). A voice talking to the microphone stands out from the sound around it; the murmur
of a room full of talkers does not, and a fixture model decodes it as whole phrases with confidence 1.0.
Measured on every Dutch command said by two unseen voices, 10 dB over the noise: babble, false commands
57 -> 21 for 27 -> 25 commands heard; at 5 dB 63 -> 21 for 17 -> 15; white noise 10 dB none lost,
5 dB 34 -> 33; clean none lost; English babble 10 dB, false commands 6 -> 3, none lost. At 8.6 dB:
16 false, 24 heard (babble 10 dB); at 9.0 dB white noise at 5 dB lost four. bench/speech_robustness.py
(other babble): Dutch false commands 72 -> 18 for 28 -> 24 of 58 heard, English 13 -> 9 for 26 -> 23."""
STANDOUT_FRAME_MS = 20

PAUSE_FED_MS = 300
"""Silence of a pause inside a sentence that Vosk is given; it does not hear the rest (the words go on
as after a short pause). Vosk ends an utterance itself after 0.5-0.8 s of trailing silence
(``endpoint.rule2`` and ``rule3`` of the models; 450 ms given was too much), so an order number read
digit by digit ("waar is bestelling vijf ... zes ... zeven acht") became a refused start and words
that were no phrase, although the listener waits ``Endpointing.prefix_silence_ms`` in such a pause."""
PAUSE_ABOVE_FLOOR_DB = 25.0
"""How far the speech (``peak_db``) must rise above the speech detector's noise floor for its pauses to
be held back from Vosk: a quiet room, where a pause is silence. Measured on the fixtures: espeak-ng in
digital silence 77 dB, white noise at 30 dB SNR 38, at 20 dB 27-29, at 10 dB 15."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpointing:
    """When an utterance is over."""

    phrase_silence_ms: int = 120
    """Silence after a partial result that is a whole phrase of the grammar (and no longer one's start)."""
    continued_silence_ms: int = 400
    """Silence after a whole phrase that also starts a longer one ("opening hours" / "... on monday")."""
    silence_ms: int = 700
    """Silence after any speech."""
    prefix_silence_ms: int = 1200
    """Silence after a partial result that starts a phrase and is no whole one ("where is order" ...
    "one two three four"): a pause inside a sentence. 1200 ms is Vosk's own last rule in the fixture
    models (``endpoint.rule4``), so a longer limit would not be reached."""
    max_utterance_s: float = 12.0

    def without_prefix_wait(self) -> Endpointing:
        """These rules with ``silence_ms`` after the start of a phrase too: for the wake listener, whose
        wakes and false wakes (bench/speech_robustness.py) were measured so; in talk that is not for the
        assistant nearly every partial result is the start of some phrase."""
        return replace(self, prefix_silence_ms=self.silence_ms)


@dataclass(frozen=True, slots=True, kw_only=True)
class Heard:
    """The end of an utterance."""

    transcript: Transcript
    speech_start: float
    """Stream seconds where speech began."""
    speech_end: float
    """Stream seconds of the last speech frame."""
    decided_at: float
    """Stream seconds when the end was decided."""
    how: str
    """``phrase`` (our early endpoint), ``silence``, ``vosk`` or ``limit``."""
    compute_s: float
    """Wall seconds spent on the chunk that ended the utterance, final result included."""
    audio: np.ndarray
    """The utterance's samples, for a second opinion (open-vocabulary fallback)."""
    stands_out: bool = True
    """False when the utterance did not rise above the sound around it (``Listener.min_standout_db``):
    the room's murmur, not someone talking to the assistant. A phrase it matched is refused."""


@dataclass(slots=True)
class Listener:
    """Feeds chunks to a recognizer and decides where the utterance ends."""

    recognizer: Recognizer
    endpointing: Endpointing = field(default_factory=Endpointing)
    vad: EnergyVad = field(default_factory=EnergyVad)
    rescue_partials: bool = True
    """Take a whole phrase the partial results had when the final is refused (commands); the wake
    listener takes its final only (see ``_rescued``)."""
    min_standout_db: float | None = STANDOUT_DB
    """An utterance whose audio rises less than this above its median level is background
    (``Heard.stands_out``), and a phrase in it is refused (commands). The wake listener passes ``None``:
    wakes were measured without it (none false in babble)."""
    partial: str = ""
    last_phrase: str = ""
    """The last partial result that was a whole phrase of the grammar."""
    speech_start: float | None = None
    speech_end: float = 0.0
    _chunks: list[np.ndarray] = field(default_factory=list)
    _before: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    """Audio heard just before the utterance by another listener (``follow``), for the standout only."""
    _time: float = 0.0
    _fed_at: float = 0.0

    def feed(self, chunk: np.ndarray, now: float) -> Heard | None:
        """Feed the chunk that ends at stream time ``now``; returns the utterance when it is over."""
        self._fed_at = time.perf_counter()
        self._time = now
        self._chunks.append(chunk)
        if self.speech_start is None:  # before speech, keep a short pre-roll, not every silent chunk
            while len(self._chunks) > 1 and sum(map(len, self._chunks[1:])) >= PRE_ROLL_S * SAMPLE_RATE:
                del self._chunks[0]
        flags = self.vad.feed(chunk)
        frame_s = self.vad.frame_size / SAMPLE_RATE
        for i, speech in enumerate(flags):
            at = now - (len(flags) - i) * frame_s
            if speech and self.vad.in_speech:
                self.speech_start = self.speech_start if self.speech_start is not None else at - 0.06
                self.speech_end = at + frame_s
        final = self._accept(chunk)
        if final is not None:  # words Vosk finds where our VAD heard no speech are noise, not a turn
            return self._heard(final, "vosk") if self.speech_start is not None else None
        if self.speech_start is None:
            return None
        self.partial = self.recognizer.partial().text
        grammar = self.recognizer.grammar
        if grammar is not None and self.partial and grammar.accepts(self.partial):
            self.last_phrase = self.partial
        return self._endpoint()

    def _accept(self, chunk: np.ndarray) -> Transcript | None:
        """Give ``chunk`` to Vosk, except in a pause inside a sentence beyond ``PAUSE_FED_MS``: there the
        listener's endpointing decides. (That silence given to Vosk later, with the speech that ends the
        pause, still ended the utterance: Vosk saw its silence before the first sounds of the next word.)"""
        return None if self._pausing_in_sentence() else self.recognizer.accept(chunk)

    def _pausing_in_sentence(self) -> bool:
        """A speaker far above the sound of the room paused after the start of a phrase. Elsewhere the
        pause is left to Vosk: in noise the speech detector ends the last word early (white noise at
        10 dB: "vier" was held back, and the whole phrase heard 1.2 s late), and the dips of murmur are
        no pauses (held back, they made longer utterances of it, one answered as a command)."""
        silence_ms = (self._time - self.speech_end) * 1000
        return (
            self.speech_start is not None
            and silence_ms >= PAUSE_FED_MS
            and self._silence_limit_ms() > self.endpointing.silence_ms
            and peak_db(self.samples()) - self.vad.floor.level >= PAUSE_ABOVE_FLOOR_DB
        )

    def _endpoint(self) -> Heard | None:
        silence_ms = (self._time - self.speech_end) * 1000
        if self._phrase_complete(silence_ms):
            return self._heard(self._rescued(self.recognizer.finish()), "phrase")
        if silence_ms >= self._silence_limit_ms():
            return self._heard(self._rescued(self.recognizer.finish()), "silence")
        if self._time - (self.speech_start or 0.0) >= self.endpointing.max_utterance_s:
            return self._heard(self.recognizer.finish(), "limit")
        return None

    def _phrase_complete(self, silence_ms: float) -> bool:
        """True when the partial result is a whole phrase and the speaker has stopped."""
        grammar, rules = self.recognizer.grammar, self.endpointing
        if grammar is None or not self.partial or self.partial != self.last_phrase:  # not a whole phrase
            return False
        if grammar.continues(self.partial):
            return silence_ms >= rules.continued_silence_ms
        return silence_ms >= rules.phrase_silence_ms

    def _silence_limit_ms(self) -> int:
        """The silence that ends an utterance that is not a whole phrase: longer while its words so far
        start one (the speaker paused in the middle of a sentence)."""
        grammar, rules = self.recognizer.grammar, self.endpointing
        if (
            grammar is not None
            and self.partial
            and self.partial != self.last_phrase
            and grammar.continues(self.partial)
        ):
            return rules.prefix_silence_ms
        return rules.silence_ms

    def _rescued(self, final: Transcript) -> Transcript:
        """When the final result is refused but a partial result was a whole phrase, take the phrase
        if the final result still says it.

        Vosk's grammar graph can turn a fading last sound or noise into extra words around the phrase
        ("음악 틀어 틀어", "꺼 음악 꺼"), or end its final result one word short of the phrase the
        partial results had right ("mag ik een medewerker"). Other finals are the model's last word on
        what was said (``_says``): over 128 commands said in babble at 10 dB, taking every phrase the
        partials passed through heard 67 (nl) and 61 (en) of them and made 189 and 40 false commands;
        taking it only while the final still says it, 59 and 54 heard, 123 and 12 false (clean: 56 and
        58 of 58 heard, against 57 and 58). The wake listener (``rescue_partials`` off) takes its final only:
        talk that passed through the wake phrase on its way to other words ("음악 꺼", "꺼 꺼", "올려")
        woke the Korean loop 5 times in 3.7 minutes of non-wake speech (bench/speech_robustness.py's
        stream), once without the rescue.
        """
        if final.is_match or not self.last_phrase or not self.rescue_partials:
            return final
        if not _says(final.alternatives[0] if final.alternatives else "", self.last_phrase):
            return final
        return Transcript(
            text=self.last_phrase,
            confidence=RESCUED_CONFIDENCE,
            is_final=True,
            alternatives=final.alternatives,
        )

    def _heard(self, transcript: Transcript, how: str) -> Heard:
        start = self.speech_start if self.speech_start is not None else self._time
        samples = self.samples()
        stands_out = self._stands_out(samples)
        if not stands_out and transcript.is_match:
            transcript = transcript.refused()
        heard = Heard(
            transcript=transcript,
            speech_start=start,
            speech_end=max(self.speech_end, start),
            decided_at=self._time,
            how=how,
            audio=samples,
            compute_s=time.perf_counter() - self._fed_at,
            stands_out=stands_out,
        )
        self.reset()
        return heard

    def _stands_out(self, samples: np.ndarray) -> bool:
        around = np.concatenate([self._before, samples]) if self._before.size else samples
        return self.min_standout_db is None or standout_db(around) >= self.min_standout_db

    def follow(self, before: np.ndarray) -> None:
        """The next utterance follows ``before``, the sound another listener heard before the speaker began
        (the wake listener's pre-roll, for a command said right after the wake phrase). The speech detector's
        noise floor and the standout are measured against it too, as against a pre-roll of this listener's
        own: a command that begins at once has none, and on its own it is all speech (no start of speech
        above the floor, no standout)."""
        self._before = before
        self.vad.feed(before[before.size % self.vad.frame_size :])
        self.vad.reset()  # the floor stays; no speech run carries over

    def samples(self) -> np.ndarray:
        """The audio of the current utterance so far, its pre-roll included."""
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    @property
    def hears_speech(self) -> bool:
        """True once speech has started in the current utterance."""
        return self.speech_start is not None

    def reset(self) -> None:
        self.recognizer.reset()
        self.vad.reset()
        self.partial = ""
        self.last_phrase = ""
        self.speech_start = None
        self.speech_end = 0.0
        self._chunks = []
        self._before = self._before[:0]


def _says(final: str, phrase: str) -> bool:
    """Whether a refused final result still says ``phrase``: with words around it, or all of it but
    its last word. The same words refused were refused for their confidence, and stay refused."""
    heard, wanted = final.split(), phrase.split()
    if heard == wanted:
        return False
    if heard == wanted[:-1] and heard:
        return True
    return any(heard[i : i + len(wanted)] == wanted for i in range(len(heard) - len(wanted) + 1))


def standout_db(samples: np.ndarray) -> float:
    """The 99th percentile of the 20 ms frame levels of ``samples`` minus their median, in dB.

    What a listener heard holds the utterance and the sound before and after it (pre-roll, the
    silence that ended it). Speech close to the microphone rises well above that; a room's murmur is
    a mixture of voices with a narrow range of levels."""
    levels = _frame_levels(samples)
    return float(np.percentile(levels, 99) - np.percentile(levels, 50)) if levels.size else float("inf")


def peak_db(samples: np.ndarray) -> float:
    """The 99th percentile of the 20 ms frame levels of ``samples`` (dBFS): how loud the speech in it is."""
    levels = _frame_levels(samples)
    return float(np.percentile(levels, 99)) if levels.size else SILENT_DB


def _frame_levels(samples: np.ndarray) -> np.ndarray:
    size = SAMPLE_RATE * STANDOUT_FRAME_MS // 1000
    signal = as_float(samples).astype(np.float64)
    frames = signal[: len(signal) - len(signal) % size].reshape(-1, size)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.asarray(np.maximum(20.0 * np.log10(np.maximum(rms, 1e-12)), SILENT_DB))
