"""Text-to-speech with espeak-ng, rendered to memory or to a WAV file.

``EspeakSynthesizer`` speaks in process through pyttsx3's espeak-ng binding. espeak-ng is
initialised once per process and is not reentrant, so every synthesizer shares one engine
behind one lock: any thread may call ``synthesize``; calls run one after another.
espeak-ng carries a little state from one utterance to the next, so in process the same
sentence can differ by a few samples between calls; ``EspeakCliSynthesizer`` runs the
``espeak-ng`` program, a fresh process per call, whose output is the same bit for bit
every time, as the audio fixtures need. Text may be plain or the SSML subset in
``speech.ssml``.
"""

from __future__ import annotations

import ctypes
import difflib
import functools
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
from .speakable import speakable

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
                spoken = self.render(speakable(segment.text, locale), voice, words_per_minute)
                parts.append(_trim_end(spoken) if segment.pause_ms else spoken)
            if segment.pause_ms:
                parts.append(silence(segment.pause_ms / 1000, ESPEAK_RATE))
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Speech(samples=samples, rate=ESPEAK_RATE)

    def voice_for(self, locale: str) -> str:
        """The espeak-ng voice for a locale such as ``nl``, ``nl-NL`` or ``en-US``."""
        key = locale.strip().lower().replace("_", "-")
        chosen = self.voices.get(key) or self.voices.get(key.split("-")[0])
        voice = chosen or key
        language, plus, variant = voice.partition("+")
        if language in known_voices():
            if plus and not _is_known_variant(variant):
                raise SynthesisError(_unknown_variant(voice, variant, locale))
            return voice
        if chosen is None:
            raise SynthesisError(
                f"espeak-ng has no voice for locale {locale!r}; "
                "use a language it knows (espeak-ng --voices lists them) or set a voice for it."
            )
        raise SynthesisError(
            f"espeak-ng has no voice {chosen!r}, the voice set for {locale!r}; "
            "choose one that espeak-ng --voices lists."
        )

    def to_file(self, text: str, path: str | Path, locale: str = "en") -> Path:
        """Render ``text`` and write it as a WAV file."""
        speech = self.synthesize(text, locale)
        return write_wav(path, speech.samples, speech.rate)


class _Engine:
    """libespeak-ng in this process, through pyttsx3's ctypes binding, used under a lock.

    pyttsx3's own driver loop is not used: in pyttsx3 2.99 it applies voice and rate
    changes one or more calls late (a Dutch reply could come out in the English voice).
    Synchronous mode applies every call's settings before it speaks.
    """

    lock = threading.Lock()
    _binding: Any = None
    _chunks: list[bytes] = []

    @classmethod
    def binding(cls) -> Any:
        if cls._binding is None:
            try:
                from pyttsx3.drivers import _espeak
            except (RuntimeError, OSError) as exc:
                raise SynthesisError(_MISSING) from exc
            if _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 0) == -1:
                raise SynthesisError(_MISSING)
            _espeak.SetSynthCallback(cls._collect)
            cls._binding = _espeak
        return cls._binding

    @classmethod
    def _collect(cls, wav: Any, count: int, events: Any) -> int:
        if count > 0:
            cls._chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = go on

    @classmethod
    def render(cls, text: str, voice: str, words_per_minute: int) -> np.ndarray:
        """Speak one plain-text segment into int16 samples at ``ESPEAK_RATE``; hold ``lock``."""
        espeak = cls.binding()
        if espeak.SetVoiceByName(voice.encode("utf-8")) != espeak.EE_OK:
            raise SynthesisError(f"espeak-ng has no voice {voice!r}; espeak-ng --voices lists them.")
        espeak.SetParameter(espeak.RATE, words_per_minute, 0)
        cls._chunks = []
        if espeak.Synth(text, flags=espeak.CHARS_UTF8 | espeak.ENDPAUSE) != espeak.EE_OK:
            raise SynthesisError(f"espeak-ng failed to speak {text[:40]!r}; try shorter text.")
        return np.frombuffer(b"".join(cls._chunks), dtype="<i2").copy()


_MISSING = "espeak-ng could not be started; install it with 'apt-get install espeak-ng libespeak-ng1'."


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
        voices = _Engine.binding().ListVoices(None)
    names: set[str] = set()
    for voice in voices:
        identifier = voice.identifier.decode("utf-8")
        names.update({identifier, identifier.rsplit("/", 1)[-1], voice.name.decode("utf-8")})
        names.add(voice.languages[1:].decode("utf-8", errors="ignore"))
    return frozenset(name.lower() for name in names if name)


@functools.cache
def known_variants() -> frozenset[str]:
    """Variant names (``f2``, ``steph``) as espeak-ng looks them up: file names in voices/!v, case and all."""
    with _Engine.lock:
        espeak = _Engine.binding()
        # Read the names under the lock: the next ListVoices frees the structures they live in.
        found = espeak.ListVoices(espeak.VOICE(languages=b"variant"))
        identifiers = [voice.identifier.decode("utf-8") for voice in found]
    return frozenset(identifier.rsplit("/", 1)[-1] for identifier in identifiers)


def _is_known_variant(variant: str) -> bool:
    """espeak-ng reads ``+3`` as m3, ``+12`` as f2, ``+0`` as none, and skips an unknown one silently."""
    if variant.isascii() and variant.isdigit():
        number = int(variant)
        if number == 0:
            return True
        variant = f"m{number}" if number < 10 else f"f{number - 10}"
    return variant in known_variants()


def _unknown_variant(voice: str, variant: str, locale: str) -> str:
    """One sentence for a variant espeak-ng does not have, with real ones near the typo (or the first few)."""
    known = known_variants()
    by_lower = {name.lower(): name for name in known}
    close = [by_lower[name] for name in difflib.get_close_matches(variant.lower(), sorted(by_lower), n=3)]
    examples = ", ".join(repr(name) for name in close or sorted(known)[:3])
    return (
        f"espeak-ng has no variant {variant!r} in the voice {voice!r} for {locale!r}; "
        f"use one it has, such as {examples} (espeak-ng --voices=variant lists them, the name after '!v/'), "
        f"or drop '+{variant}'."
    )


def _trim_end(samples: np.ndarray, keep: int = ESPEAK_RATE // 20) -> np.ndarray:
    """Drop espeak-ng's closing pause (keeping 50 ms) so an SSML break sets the pause alone."""
    loud = np.flatnonzero(np.abs(samples) > 64)
    return samples[: loud[-1] + 1 + keep] if loud.size else samples[:0]
