"""speech.audio: WAV of every shape in, 16 kHz mono int16 out; clear errors for bad files."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from speech import audio
from speech.errors import AudioError


def _tone(seconds: float = 0.5, rate: int = 16_000, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _riff(
    fmt_tag: int, channels: int, rate: int, bits: int, payload: bytes, extensible: bool = False
) -> bytes:
    block = channels * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, 0)
        fmt += struct.pack("<H", fmt_tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    else:
        fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * block, block, bits)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(payload))
        + payload
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _encode(signal: np.ndarray, bits: int, is_float: bool) -> bytes:
    if is_float:
        return signal.astype(f"<f{bits // 8}").tobytes()
    if bits == 8:
        return (np.round(signal * 127) + 128).astype(np.uint8).tobytes()
    if bits == 24:
        ints = np.round(signal * (2**23 - 1)).astype(np.int32)
        return b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    return np.round(signal * (2 ** (bits - 1) - 1)).astype(f"<i{bits // 8}").tobytes()


@pytest.mark.parametrize(
    ("bits", "is_float", "rate", "channels", "extensible"),
    [
        (16, False, 16_000, 1, False),
        (16, False, 44_100, 2, False),
        (8, False, 8_000, 1, False),
        (24, False, 48_000, 2, False),
        (32, False, 22_050, 1, False),
        (32, True, 48_000, 1, False),
        (64, True, 16_000, 2, False),
        (16, False, 48_000, 2, True),
        (32, True, 44_100, 1, True),
    ],
    ids=[
        "pcm16-16k",
        "pcm16-44k-stereo",
        "pcm8-8k",
        "pcm24-48k-stereo",
        "pcm32-22k",
        "float32-48k",
        "float64-16k-stereo",
        "extensible-pcm16",
        "extensible-float32",
    ],
)
def test_reads_every_wav_shape_as_16k_mono(
    bits: int, is_float: bool, rate: int, channels: int, extensible: bool
) -> None:
    signal = _tone(0.5, rate)
    interleaved = np.repeat(signal, channels)
    data = _riff(3 if is_float else 1, channels, rate, bits, _encode(interleaved, bits, is_float), extensible)

    samples = audio.decode_wav(data, name="tone.wav")

    assert samples.dtype == np.int16
    assert abs(len(samples) - 8000) <= 2
    assert audio.level_dbfs(samples) == pytest.approx(audio.level_dbfs(_tone(0.5)), abs=0.5)


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    original = audio.to_int16(_tone(0.3))
    path = audio.write_wav(tmp_path / "sub" / "tone.wav", original)
    assert np.array_equal(audio.read_wav(path), original)


def test_stereo_output_duplicates_the_channel(tmp_path: Path) -> None:
    path = audio.write_wav(tmp_path / "stereo.wav", audio.to_int16(_tone(0.1)), 44_100, channels=2)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (2, 44_100, 1600)


def test_frames_split_into_fixed_slices() -> None:
    chunks = list(audio.frames(np.zeros(16_000 + 100, dtype=np.int16), frame_ms=20))
    assert [len(c) for c in chunks[:2]] == [320, 320]
    assert len(chunks) == 51 and len(chunks[-1]) == 100


def test_level_of_silence_and_full_scale() -> None:
    assert audio.level_dbfs(audio.silence(0.1)) == float("-inf")
    square = np.full(1000, 32767, dtype=np.int16)
    assert audio.level_dbfs(square) == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize("snr_db", [30.0, 20.0, 10.0, 0.0], ids=lambda snr: f"{snr:g}dB")
def test_noise_is_mixed_at_the_requested_snr(snr_db: float) -> None:
    clean = audio.to_int16(_tone(1.0) * 0.5)
    noisy = audio.mix_noise(clean, snr_db, seed=7)
    noise = audio.as_float(noisy).astype(np.float64) - audio.as_float(clean)
    measured = 10 * np.log10(np.mean(audio.as_float(clean).astype(np.float64) ** 2) / np.mean(noise**2))
    assert measured == pytest.approx(snr_db, abs=0.3)
    assert np.array_equal(noisy, audio.mix_noise(clean, snr_db, seed=7)), "same seed, same noise"


def _valid_header_without(chunk: str) -> bytes:
    data = _riff(1, 1, 16_000, 16, b"\x00\x01" * 100)
    if chunk == "data":
        return data[: data.index(b"data")]
    return data[:12] + data[data.index(b"data") :]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"x\.wav is empty \(0 bytes\)"),
        (b"hello, this is text\n", r"x\.wav is not a WAV file"),
        (_riff(1, 1, 16_000, 16, b"\x00\x01" * 100)[:-50], r"x\.wav is truncated: 150 of 200 audio bytes"),
        (_valid_header_without("data"), r"x\.wav is truncated: it has no audio data chunk"),
        (_valid_header_without("fmt"), r"x\.wav is damaged: its data chunk comes before the format chunk"),
        (_riff(1, 1, 16_000, 16, b""), r"x\.wav holds no audio samples"),
        (_riff(2, 1, 16_000, 4, b"\x00" * 10), r"x\.wav uses an unsupported encoding \(format 2"),
        (_riff(3, 1, 16_000, 32, np.array([np.nan], "<f4").tobytes()), r"NaN or infinity"),
        (
            _riff(1, 1, 1, 16, b"\x00\x01" * 100),
            r"x\.wav says its sample rate is 1 Hz, outside 8000 to 384000",
        ),
        (_riff(1, 1, 1_000_000, 16, b"\x00\x01" * 100), r"sample rate is 1000000 Hz, outside"),
    ],
    ids=[
        *("empty", "text", "truncated", "no-data-chunk", "no-fmt-chunk", "no-samples", "adpcm", "nan"),
        *("rate-1-hz", "rate-1-mhz"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        audio.read_wav(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"missing\.wav: no such file"):
        audio.read_wav(tmp_path / "missing.wav")
    with pytest.raises(AudioError, match="is a folder, not a WAV file"):
        audio.read_wav(tmp_path)


def test_open_ended_data_size_reads_to_the_end() -> None:
    data = bytearray(_riff(1, 1, 16_000, 16, b"\x10\x00" * 160))
    size_at = data.index(b"data") + 4
    data[size_at : size_at + 4] = b"\xff\xff\xff\xff"  # as streaming writers leave it
    assert len(audio.decode_wav(bytes(data))) == 160
