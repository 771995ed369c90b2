"""Playing audio on the default output device (sounddevice + PortAudio)."""

from __future__ import annotations

import numpy as np

from .devices import import_sounddevice
from .errors import AudioError

_NO_DEVICE = "no audio output device is available; write the audio to a file with -o FILE.wav instead."


def play(samples: np.ndarray, rate: int) -> None:
    """Play int16 samples and wait until they are done."""
    sounddevice = import_sounddevice(_NO_DEVICE)
    try:
        sounddevice.play(samples, rate, blocking=True)
    except sounddevice.PortAudioError as exc:
        raise AudioError(_NO_DEVICE) from exc
