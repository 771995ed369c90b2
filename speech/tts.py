"""Text-to-speech with espeak-ng, rendered to memory or to a WAV file.

``EspeakSynthesizer`` speaks through pyttsx3, in process. espeak-ng is initialised once
per process and is not reentrant, so every synthesizer shares one engine behind one lock:
any thread may call ``synthesize``; calls run one after another. pyttsx3 drives espeak-ng
asynchronously, and the samples of the same sentence differ slightly from call to call;
``EspeakCliSynthesizer`` runs the ``espeak-ng`` program instead, whose output is the same
bit for bit every time, which the audio fixtures need. Text may be plain or the SSML
subset in ``speech.ssml``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import subprocess
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import ssml
from .audio import decode_wav, silence, wav_bytes, write_wav
from .errors import SynthesisError

_LOGGER = logging.getLogger(__name__)

ESPEAK_RATE = 22_050
"""Hertz; espeak-ng's native output rate."""

DEFAULT_VOICES: Mapping[str, str] = {"en": "en-us", "en-gb": "en", "nl": "nl", "ko": "ko+f2"}
"""espeak-ng voice (name[+variant]) per locale or language."""

DEFAULT_RATE = 175
"""Words per minute; espeak-ng's own default."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Speech:
    """Synthesized audio: mono int16 samples."""

    samples: np.ndarray
    rate: int
    """Hertz."""

    @property
    def duration(self) -> float:
        """Seconds."""
        return len(self.samples) / self.rate

    def wav_bytes(self) -> bytes:
        return wav_bytes(self.samples, self.rate)


class Synthesizer(ABC):
    """Turns text (plain or SSML) into speech for a locale, with a voice per locale and a rate."""

    def __init__(self, voices: Mapping[str, str] | None = None, rate: int = DEFAULT_RATE) -> None:
        self.voices = {**DEFAULT_VOICES, **{k.lower(): v for k, v in (voices or {}).items()}}
        if not 80 <= rate <= 450:
            raise SynthesisError(f"speaking rate {rate} is out of range; choose 80 to 450 words per minute.")
        self.rate = rate

    @abstractmethod
    def render(self, text: str, voice: str, words_per_minute: int) -> np.ndarray:
        """Speak one stretch of plain text into int16 samples at ``ESPEAK_RATE``."""

    def synthesize(self, text: str, locale: str = "en") -> Speech:
        """Render ``text`` (plain or SSML) in the voice for ``locale``."""
        voice = self.voice_for(locale)
        parts: list[np.ndarray] = []
        for segment in ssml.parse(text):
            if segment.text:
                words_per_minute = int(min(max(self.rate * segment.rate, 80), 450))
                spoken = self.render(segment.text, voice, words_per_minute)
                parts.append(_trim_end(spoken) if segment.pause_ms else spoken)
            if segment.pause_ms:
                parts.append(silence(segment.pause_ms / 1000, ESPEAK_RATE))
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Speech(samples=samples, rate=ESPEAK_RATE)

    def voice_for(self, locale: str) -> str:
        """The espeak-ng voice for a locale such as ``nl``, ``nl-NL`` or ``en-US``."""
        key = locale.strip().lower().replace("_", "-")
        voice = self.voices.get(key) or self.voices.get(key.split("-")[0]) or key
        if voice.split("+")[0] not in known_voices():
            raise SynthesisError(
                f"espeak-ng has no voice for locale {locale!r}; "
                "use a language it knows (espeak-ng --voices lists them) or set a voice for it."
            )
        return voice

    def to_file(self, text: str, path: str | Path, locale: str = "en") -> Path:
        """Render ``text`` and write it as a WAV file."""
        speech = self.synthesize(text, locale)
        return write_wav(path, speech.samples, speech.rate)


class _Engine:
    """The process's one pyttsx3 engine, used under a lock."""

    lock = threading.Lock()
    _engine: Any = None
    _workdir: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    def get(cls) -> Any:
        if cls._engine is None:
            import pyttsx3

            try:
                cls._engine = pyttsx3.init("espeak")
            except (RuntimeError, OSError) as exc:
                raise SynthesisError(
                    "espeak-ng could not be started; install it with 'apt-get install espeak-ng'."
                ) from exc
            cls._workdir = tempfile.TemporaryDirectory(prefix="voice-tts-")
        return cls._engine

    @classmethod
    def render(cls, text: str, voice: str, words_per_minute: int) -> np.ndarray:
        """Speak one plain-text segment into int16 samples at ``ESPEAK_RATE``; hold ``lock``."""
        engine = cls.get()
        assert cls._workdir is not None
        target = Path(cls._workdir.name) / "segment.wav"
        engine.setProperty("voice", voice)
        engine.setProperty("rate", words_per_minute)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
                engine.save_to_file(text, str(target))
                engine.runAndWait()
            return decode_wav(target.read_bytes(), name="espeak-ng output", rate=ESPEAK_RATE)
        except (RuntimeError, OSError, ValueError) as exc:
            raise SynthesisError(f"espeak-ng failed to speak {text[:40]!r}: {exc}") from exc


class EspeakSynthesizer(Synthesizer):
    """espeak-ng through pyttsx3, in process: the live voice of the assistant."""

    def render(self, text: str, voice: str, words_per_minute: int) -> np.ndarray:
        with _Engine.lock:
            return _Engine.render(text, voice, words_per_minute)


class EspeakCliSynthesizer(Synthesizer):
    """The ``espeak-ng`` program: bit-identical output on every call, for fixtures."""

    def render(self, text: str, voice: str, words_per_minute: int) -> np.ndarray:
        with tempfile.TemporaryDirectory(prefix="voice-tts-") as work:
            target = Path(work) / "speech.wav"
            command = [
                "espeak-ng",
                "-v",
                voice,
                "-s",
                str(words_per_minute),
                "-b",
                "1",
                "-w",
                str(target),
                text,
            ]
            self._run(command, text, voice)
            return decode_wav(target.read_bytes(), name="espeak-ng output", rate=ESPEAK_RATE)

    @staticmethod
    def _run(command: list[str], text: str, voice: str) -> None:
        try:
            subprocess.run(command, capture_output=True, check=True, timeout=60)
        except FileNotFoundError as exc:
            raise SynthesisError(
                "the espeak-ng program is missing; install it with 'apt-get install espeak-ng'."
            ) from exc
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise SynthesisError(
                f"espeak-ng failed to speak {text[:40]!r}; check the voice {voice!r}."
            ) from exc


@functools.cache
def known_voices() -> frozenset[str]:
    """Voice identifiers, their short names and language codes that espeak-ng accepts."""
    with _Engine.lock:
        voices = _Engine.get().getProperty("voices")
    names: set[str] = set()
    for voice in voices:
        names.update({voice.id, voice.id.rsplit("/", 1)[-1], *(voice.languages or [])})
    return frozenset(name.lower() for name in names)


def _trim_end(samples: np.ndarray, keep: int = ESPEAK_RATE // 20) -> np.ndarray:
    """Drop espeak-ng's closing pause (keeping 50 ms) so an SSML break sets the pause alone."""
    loud = np.flatnonzero(np.abs(samples) > 64)
    return samples[: loud[-1] + 1 + keep] if loud.size else samples[:0]
