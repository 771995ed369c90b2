"""Audio in the one shape the rest of the project uses: 16 kHz mono int16 numpy arrays.

Reads WAV files of any rate, channel count and sample width (8/16/24/32-bit PCM,
32/64-bit float, WAVE_FORMAT_EXTENSIBLE), converts them, writes WAV, splits audio into
frames, measures level and mixes noise at a given signal-to-noise ratio.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from .errors import AudioError

SAMPLE_RATE = 16_000
"""Hertz; what the recognizer and the rest of the pipeline expect."""

MIN_FILE_RATE, MAX_FILE_RATE = 8_000, 384_000
"""Sample rates a WAV may have: outside them the header is wrong (a 1 Hz header made 16 kHz of
resampling out of every sample: a few seconds of file became gigabytes)."""
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_UNKNOWN_SIZE = 0xFFFFFFFF  # streaming writers leave the size open


@dataclass(frozen=True, slots=True, kw_only=True)
class WavFormat:
    """What a WAV file's ``fmt`` chunk says."""

    rate: int
    """Hertz."""
    channels: int
    sample_width: int
    """Bytes per sample of one channel."""
    is_float: bool


def read_wav(path: str | Path, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read a WAV file as mono int16 at ``rate`` Hz, whatever its own format."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file; check the path.") from None
    except IsADirectoryError:
        raise AudioError(f"{path} is a folder, not a WAV file; give the path of a .wav file.") from None
    except OSError as exc:
        raise AudioError(f"{path} cannot be read ({exc.strerror}); check its permissions.") from exc
    return decode_wav(data, name=str(path), rate=rate)


def decode_wav(data: bytes, *, name: str = "audio", rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode WAV bytes to mono int16 at ``rate`` Hz; ``name`` appears in error messages."""
    if not data:
        raise AudioError(f"{name} is empty (0 bytes); record or export it again.")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(f"{name} is not a WAV file (no RIFF/WAVE header); convert it to WAV first.")
    fmt, payload = _read_chunks(data, name)
    samples = _to_float(payload, fmt, name)
    if samples.size == 0:
        raise AudioError(f"{name} holds no audio samples; record or export it again.")
    mono = samples.mean(axis=1) if fmt.channels > 1 else samples[:, 0]
    return to_int16(resample(mono, fmt.rate, rate))


def _read_chunks(data: bytes, name: str) -> tuple[WavFormat, bytes]:
    """Walk the RIFF chunks and return the format and the raw sample bytes."""
    fmt: WavFormat | None = None
    offset = 12
    while offset + 8 <= len(data):
        chunk_id, size = data[offset : offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        body_start = offset + 8
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(data[body_start : body_start + size], name)
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioError(f"{name} is damaged: its data chunk comes before the format chunk.")
            available = len(data) - body_start
            if size in (0, _UNKNOWN_SIZE):
                size = available
            elif size > available:
                raise AudioError(
                    f"{name} is truncated: {available} of {size} audio bytes are present; "
                    "copy or export it again."
                )
            return fmt, data[body_start : body_start + size]
        offset = body_start + size + (size & 1)
    if fmt is None:
        raise AudioError(f"{name} is damaged: it has no format chunk; export it again.")
    raise AudioError(f"{name} is truncated: it has no audio data chunk; copy or export it again.")


def _parse_fmt(body: bytes, name: str) -> WavFormat:
    if len(body) < 16:
        raise AudioError(f"{name} is damaged: its format chunk is too short.")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack_from("<H", body, 24)[0]  # first two bytes of the sub-format GUID
    width = bits // 8
    supported = (tag == _PCM and width in (1, 2, 3, 4)) or (tag == _FLOAT and width in (4, 8))
    if not supported or channels < 1:
        raise AudioError(
            f"{name} uses an unsupported encoding (format {tag}, {bits} bits, {channels} channels); "
            "convert it to PCM or float WAV."
        )
    if not MIN_FILE_RATE <= rate <= MAX_FILE_RATE:
        raise AudioError(
            f"{name} says its sample rate is {rate} Hz, outside {MIN_FILE_RATE} to {MAX_FILE_RATE} Hz; "
            "its header is damaged; export or convert it again."
        )
    return WavFormat(rate=rate, channels=channels, sample_width=width, is_float=tag == _FLOAT)


def _to_float(payload: bytes, fmt: WavFormat, name: str) -> np.ndarray:
    """Raw interleaved samples -> float32 array of shape (frames, channels) in [-1, 1]."""
    frame_bytes = fmt.sample_width * fmt.channels
    payload = payload[: len(payload) - len(payload) % frame_bytes]
    width = fmt.sample_width
    if fmt.is_float:
        values = np.frombuffer(payload, dtype=f"<f{width}").astype(np.float32)
    elif width == 1:
        values = (np.frombuffer(payload, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 3:
        raw = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        values = (np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)).astype(np.float32)
    else:
        values = np.frombuffer(payload, dtype=f"<i{width}").astype(np.float32) / float(1 << (8 * width - 1))
    if not np.all(np.isfinite(values)):
        raise AudioError(f"{name} contains invalid float samples (NaN or infinity); export it again.")
    return values.reshape(-1, fmt.channels)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample a mono signal; returns float32 (int16 input is scaled to [-1, 1])."""
    signal = as_float(samples)
    if from_rate == to_rate:
        return signal
    return np.asarray(soxr.resample(signal, from_rate, to_rate, quality="HQ"), dtype=np.float32)


def as_float(samples: np.ndarray) -> np.ndarray:
    """int16 or float samples -> float32 in [-1, 1]."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return samples.astype(np.float32, copy=False)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] (or int16) -> int16, clipping what overflows."""
    if samples.dtype == np.int16:
        return samples
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE, channels: int = 1) -> bytes:
    """Encode mono samples as a 16-bit PCM WAV file in memory (copied to ``channels``)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(to_int16(samples), channels).tobytes())
    return buffer.getvalue()


def write_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE, channels: int = 1) -> Path:
    """Write mono samples as a 16-bit PCM WAV file (copied to ``channels``), creating parent folders."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav_bytes(samples, rate, channels))
    except OSError as exc:
        raise AudioError(f"cannot write {path} ({exc.strerror}); choose a writable path.") from exc
    return path


def frames(samples: np.ndarray, frame_ms: int = 20, rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """Split audio into consecutive frames of ``frame_ms`` milliseconds; the last may be shorter."""
    size = max(1, rate * frame_ms // 1000)
    for start in range(0, len(samples), size):
        yield samples[start : start + size]


def duration(samples: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Seconds of audio."""
    return len(samples) / rate


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level in dB relative to full scale; silence is -inf."""
    signal = as_float(samples).astype(np.float64)
    if signal.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(signal * signal)))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


def mix_noise(
    samples: np.ndarray, snr_db: float, *, seed: int = 0, reference: np.ndarray | None = None
) -> np.ndarray:
    """Add white noise so that speech-to-noise power is ``snr_db``; deterministic per seed.

    The speech power is that of ``reference`` when given (the speech without trailing silence)."""
    signal = as_float(samples).astype(np.float64)
    speech = signal if reference is None else as_float(reference).astype(np.float64)
    power = float(np.mean(speech * speech)) if speech.size else 0.0
    if power == 0.0:
        return to_int16(signal.astype(np.float32))
    noise = np.random.default_rng(seed).standard_normal(signal.size)
    noise *= np.sqrt(power / 10.0 ** (snr_db / 10.0))
    return to_int16((signal + noise).astype(np.float32))


def silence(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Digital silence as int16."""
    return np.zeros(int(round(seconds * rate)), dtype=np.int16)


def tones(frequencies_hz: tuple[float, ...], seconds: float, *, level_dbfs: float = -20.0) -> np.ndarray:
    """Sine tones one after another, each ``seconds`` long, as int16: an earcon that needs no file.
    Each fades in and out over 10 ms, so that the speaker does not click."""
    length = int(round(seconds * SAMPLE_RATE))
    time = np.arange(length) / SAMPLE_RATE
    fade = np.minimum(1.0, np.minimum(np.arange(length), np.arange(length)[::-1]) / (0.01 * SAMPLE_RATE))
    peak = np.sqrt(2.0) * 10.0 ** (level_dbfs / 20.0)  # a sine's RMS is its peak over sqrt(2)
    waves = [peak * fade * np.sin(2.0 * np.pi * hz * time) for hz in frequencies_hz]
    return to_int16(np.concatenate(waves).astype(np.float32)) if waves else silence(0.0)
