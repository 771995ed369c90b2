"""MFCC features exactly as Vosk computes them from ``conf/mfcc.conf``.

Training must see the numbers the decoder will see, so the configuration is written once
here and both the model's ``mfcc.conf`` and the training features come from it. There is
no CMVN in the model; the network's first layer absorbs the feature normalisation.
"""

from __future__ import annotations

import kaldi_native_fbank as knf
import numpy as np

from speech.audio import SAMPLE_RATE

NUM_CEPS = 40
"""Features per frame."""
FRAME_SHIFT = 160
"""Samples between frames (10 ms)."""
FRAME_LENGTH = 400
"""Samples in a frame's window (25 ms)."""
CONTEXT = 4
"""Frames of context on each side of the network's input."""

_LOW_FREQ = 20.0
_HIGH_FREQ = 7600.0

MFCC_CONF = f"""--sample-frequency={SAMPLE_RATE}
--use-energy=false
--num-mel-bins={NUM_CEPS}
--num-ceps={NUM_CEPS}
--low-freq={_LOW_FREQ:g}
--high-freq={_HIGH_FREQ:g}
--dither=0
"""


def _options() -> knf.MfccOptions:
    options = knf.MfccOptions()
    options.frame_opts.samp_freq = SAMPLE_RATE
    options.frame_opts.dither = 0.0
    options.use_energy = False
    options.num_ceps = NUM_CEPS
    options.mel_opts.num_bins = NUM_CEPS
    options.mel_opts.low_freq = _LOW_FREQ
    options.mel_opts.high_freq = _HIGH_FREQ
    return options


def mfcc(audio: np.ndarray) -> np.ndarray:
    """MFCCs of 16 kHz int16 audio: float32, one row per 10 ms frame (Kaldi's snip-edges)."""
    computer = knf.OnlineMfcc(_options())
    # Kaldi reads int16 samples as floats without rescaling; so must we.
    computer.accept_waveform(SAMPLE_RATE, audio.astype(np.float32).tolist())
    computer.input_finished()
    frames = computer.num_frames_ready
    return np.array([computer.get_frame(i) for i in range(frames)], dtype=np.float32).reshape(
        frames, NUM_CEPS
    )


def frame_centres(num_frames: int) -> np.ndarray:
    """The sample at the centre of each frame's window."""
    return np.arange(num_frames) * FRAME_SHIFT + FRAME_LENGTH // 2
