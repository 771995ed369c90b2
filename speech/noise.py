"""Adverse conditions for test audio: noise at a given SNR, mains hum, babble, a telephone line.

Everything is deterministic (seeded) and works on 16 kHz int16 speech. The SNR is measured
against the power of the speech alone (``reference``), so silence around it does not change
how loud the noise is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .audio import SAMPLE_RATE, resample, to_int16

TELEPHONE_RATE = 8000


def power(samples: np.ndarray) -> float:
    """Mean power of int16 samples (on the int16 scale)."""
    signal = samples.astype(np.float64)
    return float(np.mean(signal * signal)) if signal.size else 0.0


def white(length: int, seed: int) -> np.ndarray:
    """Gaussian white noise of unit power."""
    return np.random.default_rng(seed).standard_normal(length)


def hum(length: int, seed: int, *, mains_hz: float = 50.0, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mains hum with harmonics and a slow wobble, like a fan or a fridge; unit power."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / rate
    tone = sum(
        (0.8**k) * np.sin(2 * np.pi * mains_hz * (k + 1) * t + rng.uniform(0, 2 * np.pi)) for k in range(6)
    )
    wobbling: np.ndarray = np.asarray(tone) * (1.0 + 0.2 * np.sin(2 * np.pi * 0.3 * t))
    return wobbling / float(np.sqrt(np.mean(wobbling * wobbling)))


def babble(voices: Sequence[np.ndarray], length: int, seed: int) -> np.ndarray:
    """Several talkers at once: each recording repeated from a random offset to ``length``; unit power."""
    rng = np.random.default_rng(seed)
    total = np.zeros(length)
    for voice in voices:
        if voice.size == 0:
            continue
        signal = voice.astype(np.float64)
        signal /= np.sqrt(power(voice)) or 1.0
        start = int(rng.integers(0, voice.size))
        repeats = length // voice.size + 2
        total += np.tile(signal, repeats)[start : start + length]
    rms = np.sqrt(np.mean(total * total))
    return total / rms if rms > 0 else total


def mix(
    speech: np.ndarray, noise: np.ndarray, snr_db: float, *, reference: np.ndarray | None = None
) -> np.ndarray:
    """``speech`` plus unit-power ``noise``, ``snr_db`` below the power of ``reference`` (default: speech)."""
    level = power(speech if reference is None else reference)
    scaled = noise[: speech.size] * np.sqrt(level / 10 ** (snr_db / 10))
    return to_int16((speech.astype(np.float64) + scaled).astype(np.float32) / 32768.0)


def telephone(speech: np.ndarray) -> np.ndarray:
    """A narrow-band phone line: 300-3400 Hz at 8 kHz, resampled back to 16 kHz."""
    narrow = resample(speech, SAMPLE_RATE, TELEPHONE_RATE).astype(np.float64)
    spectrum = np.fft.rfft(narrow)
    freqs = np.fft.rfftfreq(narrow.size, 1 / TELEPHONE_RATE)
    spectrum[(freqs < 300) | (freqs > 3400)] = 0
    band = np.fft.irfft(spectrum, narrow.size)
    return to_int16(resample(band.astype(np.float32), TELEPHONE_RATE, SAMPLE_RATE))


def gain(speech: np.ndarray, to_dbfs: float) -> np.ndarray:
    """``speech`` scaled so that its RMS level is ``to_dbfs`` dB relative to full scale."""
    level = power(speech)
    if level == 0:
        return speech
    target = (32768.0**2) * 10 ** (to_dbfs / 10)
    return to_int16((speech.astype(np.float64) * np.sqrt(target / level)).astype(np.float32) / 32768.0)
