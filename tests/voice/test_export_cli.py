"""``voice export`` warns about platform limits and lets the author choose (issue 16, item 6)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice.cli import cli


def test_alexa_in_dutch_is_written_with_a_warning(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "alexa", "customer_service", "-l", "nl-NL", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0
    assert "warning: Alexa has no custom skills in nl-NL" in result.output
    assert "made from the skill's name" not in result.output  # locales/nl/skill.yaml names it


def test_alexa_in_english_with_a_chosen_name_has_no_warning(tmp_path: Path) -> None:
    args = [
        "export",
        "alexa",
        "customer_service",
        "-l",
        "en-GB",
        "-o",
        str(tmp_path),
        "--invocation-name",
        "shop help",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "warning" not in result.output


def test_dialogflow_default_language(tmp_path: Path) -> None:
    zip_path = tmp_path / "agent.zip"
    args = ["export", "dialogflow", "customer_service", "-o", str(zip_path), "--default-language", "nl"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "default nl" in result.output
    with zipfile.ZipFile(zip_path) as agent:
        settings = json.loads(agent.read("agent.json"))
    assert settings["language"] == "nl" and settings["supportedLanguages"] == ["en"]
    wrong = CliRunner().invoke(
        cli, ["export", "dialogflow", "customer_service", "-o", str(zip_path), "--default-language", "de"]
    )
    assert wrong.exit_code == 1 and "has no language 'de'; it has en, nl" in wrong.output


@pytest.mark.parametrize("kind", ["alexa", "dialogflow"])
@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_an_output_path_that_cannot_be_written_is_one_sentence(tmp_path: Path, kind: str, where: str) -> None:
    """A file where a folder belongs, or /proc, gave FileExistsError or PermissionError tracebacks."""
    blocker = tmp_path / "g.zip"
    blocker.write_text("a file, not a folder")
    target = blocker / "x.zip" if where == "under-a-file" else Path("/proc/voice-export/x.zip")
    result = CliRunner().invoke(cli, ["export", kind, "customer_service", "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith(f"error: cannot write {target}: "), result.output
    assert result.output.endswith("check that its folder exists and is writable.\n")
