"""A small energy voice-activity detector for endpointing and barge-in.

It tracks the noise floor (the quietest recent frames) and calls a frame speech when it is
clearly louder than that floor and than an absolute minimum. Deterministic and cheap: it
runs on every 20 ms frame, also while the assistant is talking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .audio import SAMPLE_RATE, level_dbfs

FRAME_MS = 20


@dataclass(slots=True)
class EnergyVad:
    """Frame-by-frame speech detection with a running noise floor."""

    min_level_db: float = -45.0
    """Frames quieter than this are never speech (dBFS)."""
    above_floor_db: float = 12.0
    """Speech is at least this much louder than the noise floor."""
    speech_frames_to_start: int = 3
    """Consecutive speech frames (60 ms) before speech counts as started."""
    rate: int = SAMPLE_RATE
    noise_floor: float = -70.0
    speech_run: int = 0
    _pending: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))

    @property
    def frame_size(self) -> int:
        return self.rate * FRAME_MS // 1000

    def feed(self, chunk: np.ndarray) -> list[bool]:
        """Classify the complete 20 ms frames in ``chunk`` (carrying the rest over); True = speech."""
        samples = np.concatenate([self._pending, chunk]) if self._pending.size else chunk
        whole = len(samples) - len(samples) % self.frame_size
        self._pending = samples[whole:]
        return [self._frame(samples[i : i + self.frame_size]) for i in range(0, whole, self.frame_size)]

    def _frame(self, frame: np.ndarray) -> bool:
        level = level_dbfs(frame)
        speech = level > self.min_level_db and level > self.noise_floor + self.above_floor_db
        if not speech:  # the floor follows quiet frames quickly and loud ones never
            self.noise_floor = (
                level if level < self.noise_floor else 0.9 * self.noise_floor + 0.1 * max(level, -90.0)
            )
        self.speech_run = self.speech_run + 1 if speech else 0
        return speech

    @property
    def in_speech(self) -> bool:
        """True once enough consecutive speech frames were seen."""
        return self.speech_run >= self.speech_frames_to_start

    def reset(self) -> None:
        self.speech_run = 0
        self._pending = np.zeros(0, dtype=np.int16)
