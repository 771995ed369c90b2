"""Audio fixtures: synthetic recordings described by a manifest and rendered reproducibly.

A manifest (YAML) lists each fixture's text, locale, espeak-ng voice, speaking rate,
file rate and channels, optional noise (SNR in dB, seeded) and the transcript a
recognizer should produce (empty for speech it must reject). Rendering is deterministic,
so the committed WAVs can be regenerated bit for bit and checked in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .audio import mix_noise, resample, to_int16, write_wav
from .errors import SpeechError
from .noise import gain
from .tts import DEFAULT_RATE, EspeakCliSynthesizer


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioFixture:
    """One synthetic recording."""

    name: str
    text: str
    locale: str
    voice: str | None = None
    """espeak-ng voice; the locale's default when None."""
    rate: int = DEFAULT_RATE
    """Words per minute."""
    sample_rate: int = 16_000
    """Hertz of the written file."""
    channels: int = 1
    snr_db: float | None = None
    seed: int = 0
    expect: str | None = None
    """Transcript a recognizer should give; ``""`` means it must reject the utterance."""
    grammar: tuple[str, ...] = ()
    """Phrases to recognise it against, when not the whole set of the locale."""
    lead_in: float = 0.2
    """Seconds of silence before the speech."""
    tail: float = 0.0
    """Seconds of silence after the speech (noise, if any, goes on over it)."""
    level_dbfs: float | None = None
    """Scale the speech to this RMS level (dBFS) before noise is added; None keeps espeak-ng's level."""

    @property
    def filename(self) -> str:
        return f"{self.name}.wav"


def load_manifest(path: str | Path) -> list[AudioFixture]:
    """Read a fixture manifest; a bad entry is reported with its name."""
    path = Path(path)
    try:
        entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["fixtures"]
    except UnicodeDecodeError as exc:
        raise SpeechError(f"{path} is not UTF-8 text; save the manifest as UTF-8.") from exc
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SpeechError(
            f"{path} is not a readable fixture manifest ({exc}); it needs a 'fixtures:' list."
        ) from exc
    if not isinstance(entries, list):
        raise SpeechError(f"{path}: 'fixtures' is not a list; give one entry per fixture, each with '- '.")
    fixtures = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise SpeechError(
                f"{path}: the fixture entry {entry!r} is not a mapping; give name, text and locale, "
                "like '- {name: hello, text: Hello, locale: en}'."
            )
        try:
            entry = {**entry, "grammar": tuple(entry.get("grammar", ()))}
            fixtures.append(AudioFixture(**entry))
        except TypeError as exc:
            raise SpeechError(
                f"{path}: fixture {entry.get('name', '?')!r} is invalid ({exc}); fix the entry."
            ) from exc
    return fixtures


def render(fixture: AudioFixture) -> np.ndarray:
    """The fixture's mono int16 samples at its own sample rate."""
    voices = {fixture.locale: fixture.voice} if fixture.voice else None
    speech = EspeakCliSynthesizer(voices=voices, rate=fixture.rate).synthesize(fixture.text, fixture.locale)
    padded = np.concatenate([np.zeros(int(fixture.lead_in * speech.rate), dtype=np.int16), speech.samples])
    samples = to_int16(resample(padded, speech.rate, fixture.sample_rate))
    if fixture.level_dbfs is not None:
        samples = gain(samples, fixture.level_dbfs)
    spoken = samples
    if fixture.tail:
        samples = np.concatenate([samples, np.zeros(int(fixture.tail * fixture.sample_rate), dtype=np.int16)])
    if fixture.snr_db is not None:
        samples = mix_noise(samples, fixture.snr_db, seed=fixture.seed, reference=spoken)
    return samples


def regenerate(fixtures: Sequence[AudioFixture], out_dir: str | Path) -> list[Path]:
    """Render every fixture into ``out_dir``; returns the files written."""
    out = Path(out_dir)
    return [write_wav(out / f.filename, render(f), f.sample_rate, f.channels) for f in fixtures]
