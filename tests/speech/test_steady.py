"""Steady models: the real Korean model hears the same audio the same way every time (speech.steady)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import AUDIO, FIXTURE_MODELS

from speech import audio, stt
from speech.errors import ModelError
from speech.models import resolve_model
from speech.steady import CARD_FILE, Dither, steady_model

KOREAN_PHRASES = ("음악 틀어", "음악 꺼", "불 꺼", "불 켜", "볼륨 올려", "볼륨 줄여", "안녕하세요")


def test_a_copy_without_kaldis_dither_records_the_dither_it_replaces(tmp_path: Path) -> None:
    source = resolve_model("ko")
    path = steady_model(source, tmp_path)
    assert path.parent == tmp_path and path != source
    assert (path / "conf" / "mfcc.conf").read_text(encoding="utf-8").splitlines()[-1] == "--dither=0"
    card = json.loads((path / CARD_FILE).read_text(encoding="utf-8"))
    assert card == {"dither": 1.0, "source": str(source)}
    assert (path / "am").resolve() == (source / "am").resolve(), "the model's files are linked, not copied"
    assert "--dither" not in (source / "conf" / "mfcc.conf").read_text(encoding="utf-8")
    (path / CARD_FILE).write_text(json.dumps({"dither": 2.0, "source": "kept"}), encoding="utf-8")
    assert steady_model(source, tmp_path) == path
    assert json.loads((path / CARD_FILE).read_text(encoding="utf-8"))["source"] == "kept", "made once"


def test_a_model_that_does_not_dither_is_its_own_steady_model(tmp_path: Path) -> None:
    assert steady_model(FIXTURE_MODELS / "en", tmp_path) == (FIXTURE_MODELS / "en").resolve()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_no_model_is_refused_with_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="is not a Vosk model folder"):
        steady_model(tmp_path, tmp_path)


def test_the_same_audio_is_heard_the_same_way_every_time(korean_model: Path) -> None:
    """With Kaldi's own dither one unseen voice's wake phrase was heard 3 times in 5 in one process."""
    samples = np.concatenate([audio.read_wav(AUDIO / "ko_light_off_175.wav"), audio.silence(0.5)])
    grammar = stt.Grammar(phrases=KOREAN_PHRASES)
    heard = [stt.transcribe(samples, korean_model, grammar=grammar) for _ in range(4)]
    assert heard[0] and heard[0][0].text == "불 꺼"
    assert all(h == heard[0] for h in heard), heard


def test_the_dither_is_the_noise_kaldi_adds_and_starts_afresh_with_each_recognizer() -> None:
    silence = np.zeros(16_000, dtype=np.int16)
    first, again = Dither(1.0).add(silence), Dither(1.0).add(silence)
    assert np.array_equal(first, again)
    assert 0.9 < float(np.std(first)) < 1.2
    assert Dither.scale_of(FIXTURE_MODELS / "en") == 0.0
