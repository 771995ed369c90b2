"""The committed audio fixtures are exactly what the manifest regenerates."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AUDIO

from speech import audio
from speech.errors import SpeechError
from speech.fixtures import AudioFixture, load_manifest, regenerate


def test_regeneration_is_bit_identical(audio_fixtures: dict[str, AudioFixture], tmp_path: Path) -> None:
    written = regenerate(list(audio_fixtures.values()), tmp_path)
    assert len(written) == len(audio_fixtures) >= 20
    different = [p.name for p in written if p.read_bytes() != (AUDIO / p.name).read_bytes()]
    assert different == []


def test_every_committed_wav_is_in_the_manifest(audio_fixtures: dict[str, AudioFixture]) -> None:
    assert sorted(p.stem for p in AUDIO.glob("*.wav")) == sorted(audio_fixtures)


def test_fixtures_have_the_format_the_manifest_says(audio_fixtures: dict[str, AudioFixture]) -> None:
    stereo = audio_fixtures["ko_music_on_44k_stereo"]
    header = (AUDIO / stereo.filename).read_bytes()[:44]
    assert int.from_bytes(header[22:24], "little") == 2 and int.from_bytes(header[24:28], "little") == 44_100
    assert {f.locale for f in audio_fixtures.values()} == {"ko", "en", "nl"}


def test_noisy_fixture_is_noisier_than_its_clean_twin(audio_fixtures: dict[str, AudioFixture]) -> None:
    clean = audio.read_wav(AUDIO / "ko_music_on_175.wav")
    noisy = audio.read_wav(AUDIO / "ko_music_on_175_snr20.wav")
    assert audio.level_dbfs(noisy[:2000]) > audio.level_dbfs(clean[:2000]) + 20, (
        "the lead-in is no longer silent"
    )


def test_a_bad_manifest_entry_is_named(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("fixtures:\n  - {name: broken, text: hi, locale: en, colour: red}\n")
    with pytest.raises(SpeechError, match=r"fixture 'broken' is invalid"):
        load_manifest(manifest)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "fixtures:\n  - {name: a, text: caf\xe9, locale: en}\n".encode("latin-1"),
            r"is not UTF-8 text; save",
        ),
        (b"fixtures:\n  - just a string\n", r"the fixture entry 'just a string' is not a mapping; give name"),
        (b"fixtures: 3\n", r"'fixtures' is not a list; give one entry per fixture"),
    ],
    ids=["latin-1", "entry-not-a-mapping", "not-a-list"],
)
def test_a_manifest_of_the_wrong_shape_is_one_sentence(tmp_path: Path, content: bytes, message: str) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_bytes(content)
    with pytest.raises(SpeechError, match=message):
        load_manifest(manifest)
