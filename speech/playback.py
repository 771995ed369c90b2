"""Playing audio on the default output device (sounddevice + PortAudio)."""

from __future__ import annotations

import numpy as np

from .errors import AudioError

_NO_DEVICE = "no audio output device is available; write the audio to a file with -o FILE.wav instead."


def play(samples: np.ndarray, rate: int) -> None:
    """Play int16 samples and wait until they are done."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio itself is missing
        raise AudioError(_NO_DEVICE) from exc
    try:
        sounddevice.play(samples, rate, blocking=True)
    except sounddevice.PortAudioError as exc:
        raise AudioError(_NO_DEVICE) from exc
