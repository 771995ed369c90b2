"""Microphones and speakers: real ones through sounddevice, and a simulated pair for files and tests.

The local loop reads input in small chunks and starts, checks and stops playback; it never
sees which implementation it has. ``SimulatedAudio`` plays a recording as the microphone
(as fast as the loop reads, or in real time), keeps its own stream clock, and captures
what the assistant says on that clock, so tests can check barge-in timing to the sample.
"""

from __future__ import annotations

import contextlib
import queue
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .audio import SAMPLE_RATE, resample, to_int16
from .errors import AudioError

_NO_INPUT = "no audio input device is available; run with --input FILE.wav (and --output FILE.wav) instead."
_NO_OUTPUT = "no audio output device is available; run with --input FILE.wav --output FILE.wav instead."
_STALLED = "the microphone stopped delivering audio; check it and run voice run again."

STALL_S = 2.0
"""Seconds without audio from a live microphone before reading gives up."""
_POLL_S = 0.25
"""How often a waiting read checks that the input stream is still running."""


class AudioInput(ABC):
    """A source of 16 kHz mono int16 audio."""

    rate: int = SAMPLE_RATE

    @abstractmethod
    def read(self, frames: int) -> np.ndarray | None:
        """The next ``frames`` samples (blocking); None when the stream has ended."""

    @abstractmethod
    def now(self) -> float:
        """Seconds of audio read so far: the stream clock."""

    def close(self) -> None:  # noqa: B027 - most inputs hold nothing to release
        """Release the device."""


class AudioOutput(ABC):
    """A sink for speech that can be interrupted."""

    @abstractmethod
    def play(self, samples: np.ndarray, rate: int) -> None:
        """Start playing; returns at once."""

    @abstractmethod
    def stop(self) -> None:
        """Stop playing now (barge-in)."""

    @property
    @abstractmethod
    def playing(self) -> bool:
        """True while speech is still coming out."""

    def close(self) -> None:  # noqa: B027 - most outputs hold nothing to release
        """Release the device."""


@dataclass(slots=True)
class Playback:
    """One reply as the simulated speaker played it, on the stream clock."""

    start: float
    samples: np.ndarray
    """16 kHz mono int16."""
    stopped_at: float | None = None

    @property
    def end(self) -> float:
        full = self.start + len(self.samples) / SAMPLE_RATE
        return full if self.stopped_at is None else min(full, self.stopped_at)

    @property
    def heard(self) -> np.ndarray:
        """The samples that came out before a stop."""
        return self.samples[: int(round((self.end - self.start) * SAMPLE_RATE))]


class SimulatedAudio(AudioInput, AudioOutput):
    """A recording as the microphone and a capturing speaker, sharing one stream clock."""

    def __init__(self, samples: np.ndarray, *, realtime: bool = False, tail_seconds: float = 0.0) -> None:
        tail = np.zeros(int(tail_seconds * SAMPLE_RATE), dtype=np.int16)
        self.samples = np.concatenate([to_int16(samples), tail])
        self.realtime = realtime
        self.position = 0
        self.playbacks: list[Playback] = []
        self._started = time.monotonic()

    def read(self, frames: int) -> np.ndarray | None:
        if self.position >= len(self.samples):
            return None
        chunk = self.samples[self.position : self.position + frames]
        self.position += len(chunk)
        if self.realtime:
            time.sleep(max(0.0, self._started + self.now() - time.monotonic()))
        return chunk

    def now(self) -> float:
        return self.position / SAMPLE_RATE

    def play(self, samples: np.ndarray, rate: int) -> None:
        self.stop()
        audio = to_int16(resample(samples, rate, SAMPLE_RATE))
        self.playbacks.append(Playback(start=self.now(), samples=audio))

    def stop(self) -> None:
        if self.playing:
            self.playbacks[-1].stopped_at = self.now()

    @property
    def playing(self) -> bool:
        return bool(self.playbacks) and self.now() < self.playbacks[-1].end

    def timeline(self) -> np.ndarray:
        """What the speaker played, placed on the input's timeline (silence elsewhere)."""
        end = max([len(self.samples)] + [int(p.end * SAMPLE_RATE) + 1 for p in self.playbacks])
        out = np.zeros(end, dtype=np.int16)
        for playback in self.playbacks:
            start = int(round(playback.start * SAMPLE_RATE))
            heard = playback.heard
            out[start : start + len(heard)] = heard
        return out


class SoundDeviceInput(AudioInput):
    """A real microphone: a PortAudio input stream feeding a queue."""

    def __init__(
        self, device: int | str | None = None, *, block_ms: int = 20, stall_s: float = STALL_S
    ) -> None:
        sd = import_sounddevice(_NO_INPUT)
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._frames = 0
        self.stall_s = stall_s
        """No audio for this long: the microphone has stopped (blocks come every ``block_ms``)."""
        try:
            self._stream = sd.InputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="int16",
                device=device,
                blocksize=SAMPLE_RATE * block_ms // 1000,
                callback=self._callback,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioError(
                _NO_INPUT
                if device is None
                else f"audio input {device!r} cannot be opened ({exc}); 'voice devices' lists them."
            ) from exc

    def _callback(self, data: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self._queue.put(data[:, 0].copy())

    def read(self, frames: int) -> np.ndarray | None:
        chunks, got = [], 0
        while got < frames:
            chunk = self._next_block()
            chunks.append(chunk)
            got += len(chunk)
        self._frames += got
        return np.concatenate(chunks)

    def _next_block(self) -> np.ndarray:
        """The next block from the stream; an error instead of waiting forever when none comes."""
        waited = 0.0
        while True:
            try:
                return self._queue.get(timeout=min(_POLL_S, self.stall_s))
            except queue.Empty:
                waited += min(_POLL_S, self.stall_s)
                if not self._stream.active or waited >= self.stall_s:
                    raise AudioError(_STALLED) from None

    def now(self) -> float:
        return self._frames / SAMPLE_RATE

    def close(self) -> None:
        self._stream.close()


class SoundDeviceOutput(AudioOutput):
    """A real speaker."""

    def __init__(self, device: int | str | None = None) -> None:
        self._sd = import_sounddevice(_NO_OUTPUT)
        self.device = device
        try:
            self._sd.check_output_settings(device=device, samplerate=SAMPLE_RATE, channels=1, dtype="int16")
        except (self._sd.PortAudioError, ValueError) as exc:
            raise AudioError(
                _NO_OUTPUT
                if device is None
                else f"audio output {device!r} cannot be opened ({exc}); 'voice devices' lists them."
            ) from exc
        self._until = 0.0

    def play(self, samples: np.ndarray, rate: int) -> None:
        """Play at the rate the device was checked for (espeak-ng speaks at 22,050 Hz)."""
        audio = to_int16(resample(samples, rate, SAMPLE_RATE))
        with self._speaker_errors():
            self._sd.play(audio, SAMPLE_RATE, device=self.device)
        self._until = time.monotonic() + len(audio) / SAMPLE_RATE

    def stop(self) -> None:
        with self._speaker_errors():
            self._sd.stop()
        self._until = 0.0

    @contextlib.contextmanager
    def _speaker_errors(self) -> Iterator[None]:
        """PortAudio's failures as one sentence."""
        try:
            yield
        except self._sd.PortAudioError as exc:
            raise AudioError(
                f"the audio output failed ({exc}); check the speaker ('voice devices' lists them) "
                "or run with --input FILE.wav --output FILE.wav."
            ) from exc

    @property
    def playing(self) -> bool:
        return time.monotonic() < self._until


def import_sounddevice(message: str) -> Any:
    """The sounddevice module; ``AudioError(message)`` when PortAudio is missing."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio is missing
        raise AudioError(message) from exc
    return sounddevice


def list_devices() -> list[dict[str, Any]]:
    """Every audio device PortAudio sees: index, name, input and output channels."""
    sd = import_sounddevice("PortAudio is not installed; install libportaudio2.")
    try:
        devices = sd.query_devices()
    except sd.PortAudioError:
        return []
    return [
        {
            "index": i,
            "name": d["name"],
            "inputs": d["max_input_channels"],
            "outputs": d["max_output_channels"],
        }
        for i, d in enumerate(devices)
    ]
