"""Steady models: the real Korean model hears the same audio the same way every time (speech.steady)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import AUDIO, FIXTURE_MODELS

from speech import audio, stt
from speech.errors import ModelError
from speech.models import resolve_model
from speech.steady import CARD_FILE, Dither, dither_of, steady_model

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


def test_a_copy_in_a_shared_cache_is_readable_by_its_other_users(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        path = steady_model(resolve_model("ko"), tmp_path)
    finally:
        os.umask(before)
    assert path.stat().st_mode & 0o777 == 0o755
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name], "no scratch folder left behind"


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


def test_each_recognizer_starts_the_dither_afresh(korean_model: Path) -> None:
    """Two recognizers given the same audio in turn feed Vosk the same dithered samples."""
    silence = np.zeros(16_000, dtype=np.int16)
    first, again = Dither(1.0).add(silence), Dither(1.0).add(silence)
    assert np.array_equal(first, again)
    assert 0.9 < float(np.std(first)) < 1.2
    assert dither_of(korean_model) == 1.0 and dither_of(FIXTURE_MODELS / "en") == 0.0
    heard = [stt.Recognizer(korean_model, grammar=KOREAN_PHRASES) for _ in range(2)]
    clip = audio.read_wav(AUDIO / "ko_music_on_175.wav")
    for recognizer in heard:
        for chunk in audio.frames(clip, 100):
            recognizer.accept(chunk.tobytes())  # bytes as a microphone delivers them
    finals = [recognizer.finish() for recognizer in heard]
    assert finals[0] == finals[1] and finals[0].text == "음악 틀어"


def _model_like(source: Path, folder: Path, features: dict[str, str]) -> Path:
    """A folder that looks like ``source``'s model (links) with the given feature option files."""
    folder.mkdir()
    for entry in source.iterdir():
        if entry.name != "conf":
            (folder / entry.name).symlink_to(entry)
    (folder / "conf").mkdir()
    (folder / "conf" / "model.conf").write_text((source / "conf" / "model.conf").read_text())
    for name, text in features.items():
        (folder / "conf" / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("features", "steady"),
    [
        ({"mfcc.conf": "--use-energy=false\n--dither=0  # off\n"}, False),
        ({"fbank.conf": "--num-mel-bins=80\n"}, True),
        ({"mfcc.conf": "--dither=0.5\n"}, True),
    ],
)
def test_the_dither_is_read_as_kaldi_reads_it(tmp_path: Path, features: dict[str, str], steady: bool) -> None:
    source = _model_like(resolve_model("ko"), tmp_path / "model", features)
    path = steady_model(source, tmp_path / "cache")
    assert (path != source) is steady
    for name in features if steady else ():
        assert (path / "conf" / name).read_text().endswith("--dither=0\n")


def test_other_options_make_another_copy(tmp_path: Path) -> None:
    source = _model_like(resolve_model("ko"), tmp_path / "model", {"mfcc.conf": "--num-ceps=40\n"})
    first = steady_model(source, tmp_path / "cache")
    (source / "conf" / "model.conf").write_text("--beam=13.0\n")
    second = steady_model(source, tmp_path / "cache")
    assert second != first and (second / "conf" / "model.conf").read_text() == "--beam=13.0\n"


def test_an_unusable_cache_or_a_damaged_card_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ModelError, match="cannot write the steady model .*set VOICE_CACHE_DIR"):
        steady_model(resolve_model("ko"), tmp_path / "file")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / CARD_FILE).write_text("{")
    with pytest.raises(ModelError, match="steady model card .* is damaged"):
        dither_of(damaged)
