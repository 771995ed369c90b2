"""What people type at ``voice chat`` and ``voice say``: every mistake is one sentence, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from voice.cli import cli

KOREAN_SKILL = ROOT / "tests" / "voice" / "korean_skill"


def _config(tmp_path: Path, settings: str = "") -> str:
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{KOREAN_SKILL}"]\n{settings}')
    return str(config)


@pytest.mark.parametrize(
    ("voice", "sentence"),
    [
        ("nosuch", "espeak-ng has no voice 'nosuch', the voice set for 'ko'"),
        ("ko+f9", "espeak-ng has no variant 'f9' in the voice 'ko+f9' for 'ko'"),
    ],
)
def test_chat_refuses_a_voice_espeak_does_not_have_before_the_first_reply(
    tmp_path: Path, voice: str, sentence: str
) -> None:
    config = _config(tmp_path, f'[voices]\nko = "{voice}"\n')
    result = CliRunner().invoke(
        cli,
        ["chat", "-l", "ko", "--memory", "--config", config, "--speak-to", str(tmp_path / "said")],
        input="음악 틀어\n",
    )
    assert result.exit_code != 0 and result.output.count("\n") == 1, result.output
    assert sentence in result.output


def test_say_names_the_voice_espeak_does_not_have(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["say", "hello", "--voice", "nosuch", "-o", str(tmp_path / "s.wav")])
    assert result.exit_code == 1 and "no voice 'nosuch'" in result.output


def test_say_refuses_a_variant_espeak_does_not_have(tmp_path: Path) -> None:
    output = tmp_path / "s.wav"
    result = CliRunner().invoke(cli, ["say", "hallo", "-l", "nl", "--voice", "nl+nosuch", "-o", str(output)])
    assert result.exit_code == 1 and not output.exists()
    assert result.output == (
        "error: espeak-ng has no variant 'nosuch' in the voice 'nl+nosuch' for 'nl'; use one it has, such as "
        "'Alex', 'Alicia', 'Andrea' (espeak-ng --voices=variant lists them, the name after '!v/'), "
        "or drop '+nosuch'.\n"
    )


@pytest.mark.parametrize("voice", ["nl", "nl+steph", "en+m3"])
def test_say_speaks_in_a_language_voice_with_or_without_a_known_variant(tmp_path: Path, voice: str) -> None:
    output = tmp_path / "s.wav"
    result = CliRunner().invoke(cli, ["say", "hallo", "-l", "nl", "--voice", voice, "-o", str(output)])
    assert result.exit_code == 0 and output.stat().st_size > 1000, result.output


def test_chat_reads_a_line_that_is_not_utf8_with_a_replacement_character(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["chat", "-l", "ko", "--memory", "--config", _config(tmp_path)],
        input=b"hallo\xff\n" + "음악 틀어\n".encode(),
    )
    assert result.exception is None and result.exit_code == 0, result.output
    assert "went wrong" not in result.output and "어떤 음악을 틀까요?" in result.output


def test_say_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    output = tmp_path / "s.wav"
    result = CliRunner().invoke(cli, ["say", "caf\udce9", "-o", str(output)])  # b"caf\xe9" from argv
    assert result.exit_code == 1 and not output.exists()
    assert (
        result.output
        == "error: the text is not valid UTF-8; give it in UTF-8 (set the terminal's encoding to UTF-8).\n"
    )


def test_say_refuses_ssml_without_anything_to_say(tmp_path: Path) -> None:
    output = tmp_path / "e.wav"
    result = CliRunner().invoke(cli, ["say", "<speak></speak>", "-o", str(output)])
    assert result.exit_code == 1 and "there is nothing to say" in result.output and not output.exists()
