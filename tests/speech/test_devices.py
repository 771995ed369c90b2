"""The real microphone and speaker classes, against a fake ``sounddevice`` with the same interface."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from speech import devices
from speech.devices import SoundDeviceInput, SoundDeviceOutput
from speech.errors import AudioError


class PortAudioError(Exception):
    """sounddevice.PortAudioError."""


class FakeStream:
    """An input stream that never calls its callback: a microphone that stopped delivering audio."""

    def __init__(self, *, callback: Any, **settings: Any) -> None:
        self.callback, self.active = callback, False

    def start(self) -> None:
        self.active = True

    def close(self) -> None:
        self.active = False


class FakeSounddevice(SimpleNamespace):
    """What the speech layer uses of sounddevice; ``play`` records or fails."""

    def __init__(self, fail: str = "") -> None:
        super().__init__(PortAudioError=PortAudioError, InputStream=FakeStream, played=[], fail=fail)

    def check_output_settings(self, **settings: Any) -> None:
        self.checked = settings

    def play(self, samples: np.ndarray, rate: int, device: Any = None) -> None:
        if self.fail:
            raise PortAudioError(self.fail)
        self.played.append((samples, rate))

    def stop(self) -> None:
        """Nothing plays."""


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSounddevice:
    module = FakeSounddevice()
    monkeypatch.setattr(devices, "import_sounddevice", lambda message: module)
    return module


def test_the_speaker_plays_at_the_rate_it_was_checked_for(fake: FakeSounddevice) -> None:
    speaker = SoundDeviceOutput()
    speaker.play(np.full(22_050, 1000, dtype=np.int16), 22_050)  # one second of espeak-ng
    samples, rate = fake.played[0]
    assert rate == fake.checked["samplerate"] == 16_000 and len(samples) == 16_000
    assert samples.dtype == np.int16 and speaker.playing


def test_a_failing_speaker_is_one_sentence(fake: FakeSounddevice) -> None:
    fake.fail = "Device unavailable [PaErrorCode -9985]"
    with pytest.raises(
        AudioError, match=r"^the audio output failed \(Device unavailable .*\); check the speaker"
    ):
        SoundDeviceOutput().play(np.zeros(100, dtype=np.int16), 16_000)


def test_a_microphone_whose_stream_stopped_is_an_error_not_a_hang(fake: FakeSounddevice) -> None:
    microphone = SoundDeviceInput()
    microphone._stream.active = False
    started = time.monotonic()
    with pytest.raises(AudioError, match="^the microphone stopped delivering audio; check it and run voice"):
        microphone.read(640)
    assert time.monotonic() - started < 1.0


def test_a_running_stream_without_audio_is_an_error_after_the_stall_time(fake: FakeSounddevice) -> None:
    microphone = SoundDeviceInput(stall_s=0.3)
    started = time.monotonic()
    with pytest.raises(AudioError, match="the microphone stopped delivering audio"):
        microphone.read(640)
    assert 0.3 <= time.monotonic() - started < 1.5


def test_a_microphone_that_delivers_is_read(fake: FakeSounddevice) -> None:
    microphone = SoundDeviceInput()
    for _ in range(2):
        microphone._stream.callback(np.ones((320, 1), dtype=np.int16), 320, None, None)
    assert len(microphone.read(640)) == 640 and microphone.now() == 0.04
