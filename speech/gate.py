"""A noise gate in front of the recognizer: the background around and between commands is turned down.

Why: a fixture model hears a room's murmur (other people talking 10-20 dB below the caller) as words,
and murmur before a command turns the whole command into ``[unk]``: 0% of commands were recognised
with babble at 20 dB below them (issue 17). The gate tracks the background as a low percentile of the
levels of the last 1.5 s and passes the frames clearly louder than it, opening a little early (a short
look-ahead, so a word's soft onset passes) and closing late (a hold, so its tail and short pauses do);
everything else is turned down by 30 dB, which a model takes for the silence it was trained on. Steady
noise sits at the floor and is turned down too; speech in a quiet room is far above its floor and
passes untouched. The look-ahead delays the audio by 60 ms. ``speech.stt`` gates fixture models only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .audio import SAMPLE_RATE, level_dbfs, to_int16
from .vad import FRAME_MS, SILENT_DB, BackgroundLevel


@dataclass(slots=True)
class NoiseGate:
    """Streaming: ``feed`` int16 chunks, get the gated audio back ``look_ahead_frames`` later."""

    open_above_floor_db: float = 9.0
    """A frame this much louder than the background opens the gate (bench/speech_robustness.py, English
    babble at 10 dB: 4 dB 48%, 6 dB 55%, 9, 12 and 15 dB 72%; at 12 dB more out-of-scope speech in white
    noise was taken for commands)."""
    closed_gain_db: float = -30.0
    background: BackgroundLevel = field(default_factory=BackgroundLevel)
    """The 20th percentile of the last 1.5 s: murmur rises and falls, and its quietest frame alone would
    open the gate on every syllable of it."""
    look_ahead_frames: int = 3
    hold_frames: int = 12
    """Frames the gate stays open after the last loud frame (240 ms)."""
    rate: int = SAMPLE_RATE
    _frames: deque[np.ndarray] = field(default_factory=deque)
    _loud: deque[bool] = field(default_factory=deque)
    _open_for: int = 0
    _pending: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))

    @property
    def frame_size(self) -> int:
        return self.rate * FRAME_MS // 1000

    def feed(self, chunk: np.ndarray) -> np.ndarray:
        """Gate the complete frames of ``chunk`` (the rest waits for the next chunk); int16 out."""
        samples = np.concatenate([self._pending, chunk]) if self._pending.size else chunk
        whole = len(samples) - len(samples) % self.frame_size
        self._pending = samples[whole:]
        out = []
        for start in range(0, whole, self.frame_size):
            self._take(samples[start : start + self.frame_size])
            if len(self._frames) > self.look_ahead_frames:
                out.append(self._release())
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int16)

    def flush(self) -> np.ndarray:
        """The audio still held back (the look-ahead and a partial frame), gated: the end of an utterance."""
        out = [self._release() for _ in range(len(self._frames))]
        out.append(self._pending if self._open_for > 0 else self._turned_down(self._pending))
        self._pending = np.zeros(0, dtype=np.int16)
        return np.concatenate(out)

    def drop(self) -> None:
        """Forget the audio held back (a new utterance starts); the background level is kept."""
        self._frames.clear()
        self._loud.clear()
        self._open_for = 0
        self._pending = np.zeros(0, dtype=np.int16)

    def _take(self, frame: np.ndarray) -> None:
        level = max(level_dbfs(frame), SILENT_DB)
        self.background.add(level)
        self._frames.append(frame)
        self._loud.append(level > self.background.level + self.open_above_floor_db)

    def _release(self) -> np.ndarray:
        if any(self._loud):
            self._open_for = self.hold_frames + 1
        frame = self._frames.popleft()
        self._loud.popleft()
        self._open_for -= 1
        return frame if self._open_for >= 0 else self._turned_down(frame)

    def _turned_down(self, samples: np.ndarray) -> np.ndarray:
        return to_int16(samples.astype(np.float32) / 32768.0 * 10 ** (self.closed_gain_db / 20))
