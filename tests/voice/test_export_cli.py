"""``voice export`` warns about platform limits and lets the author choose (issue 16, item 6)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from voice.builtins import BUILTIN_LOCALES
from voice.cli import cli
from voice.export import check_interaction_model


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
        "--endpoint",
        "https://voice.example.org/alexa",
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


_SENTENCES = {"en": "when are you open", "de": "wann haben sie geöffnet"}


def _hours_skill(root: Path) -> Path:
    """A skill in English and German: the framework has its built-in intents in English, not German."""
    folder = root / "hours"
    folder.mkdir()
    (folder / "__init__.py").write_text(
        '"""Opening hours."""\nfrom voice import Skill\nskill = Skill("hours", __file__)\n'
    )
    for language, sentence in _SENTENCES.items():
        locale = folder / "locales" / language
        locale.mkdir(parents=True)
        (locale / "intents.yaml").write_text(
            f"language: {language}\nintents:\n  Hours:\n    data: [{{sentences: ['{sentence}']}}]\n",
            encoding="utf-8",
        )
        (locale / "responses.yaml").write_text('responses:\n  Hours: "9 to 5."\n')
    return folder


def _no_builtins_warning(language: str) -> str:
    return f"warning: the framework has no built-in intents in {language!r} (only in en, nl): "


def test_alexa_in_a_language_without_built_in_intents_is_written_with_a_warning(tmp_path: Path) -> None:
    """German crashed with "cannot read intents file ... fix the template": the export read the framework's
    German intents (asking for a person, greeting, thanks), which do not exist."""
    args = [
        "export",
        "alexa",
        str(_hours_skill(tmp_path)),
        "-o",
        str(tmp_path),
        "--invocation-name",
        "the hours",
    ]
    result = CliRunner().invoke(cli, [*args, "-l", "de-DE"])
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.output.splitlines() if line.startswith(_no_builtins_warning("de"))]
    assert "the model has no TalkToAgent, Greeting, Thanks, Wait or SpeakLanguage intent" in warning
    assert warning.endswith(
        f"add intents.yaml to {BUILTIN_LOCALES / 'de'}/, translated from {BUILTIN_LOCALES / 'en'}/ "
        "(docs/dialogs.md)."
    )
    model = json.loads((tmp_path / "skill-package/interactionModels/custom/de-DE.json").read_text())
    intents = {intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]}
    assert "Hours" in intents and "AMAZON.HelpIntent" in intents and "TalkToAgent" not in intents
    assert check_interaction_model(model) == []
    english = CliRunner().invoke(cli, [*args, "-l", "en-US"])
    assert english.exit_code == 0 and "built-in intents" not in english.output, english.output


def test_dialogflow_warns_of_each_language_without_built_in_intents(tmp_path: Path) -> None:
    zip_path = tmp_path / "agent.zip"
    result = CliRunner().invoke(
        cli, ["export", "dialogflow", str(_hours_skill(tmp_path)), "-o", str(zip_path)]
    )
    assert result.exit_code == 0 and zip_path.is_file(), result.output
    warnings = [line for line in result.output.splitlines() if "built-in intents" in line]
    assert len(warnings) == 1 and warnings[0].startswith(_no_builtins_warning("de")), result.output
    assert "a caller cannot say yes, no, help or stop, or ask for a person" in warnings[0]


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "skill-package" / "skill.json").read_text())["manifest"]
    return manifest


def test_a_second_locale_joins_the_manifest_of_the_first(tmp_path: Path) -> None:
    """Exporting en-GB into en-US's folder left skill.json with en-GB alone, beside both models."""
    one_by_one, at_once = tmp_path / "one-by-one", tmp_path / "at-once"
    endpoint = ["--endpoint", "https://voice.example.org/alexa"]
    for locale in ("en-US", "en-GB"):
        result = CliRunner().invoke(
            cli, ["export", "alexa", "customer_service", "-l", locale, "-o", str(one_by_one), *endpoint]
        )
        assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        cli,
        ["export", "alexa", "customer_service", "-l", "en-US", "-l", "en-GB", "-o", str(at_once), *endpoint],
    )
    assert result.exit_code == 0 and result.output.count("wrote ") == 2, result.output
    for folder in (one_by_one, at_once):
        published = _manifest(folder)["publishingInformation"]
        assert list(published["locales"]) == ["en-US", "en-GB"]
        assert published["distributionCountries"] == ["US", "GB"]
        assert published["locales"]["en-GB"]["name"] == published["locales"]["en-US"]["name"]
        models = folder / "skill-package" / "interactionModels" / "custom"
        assert sorted(path.name for path in models.iterdir()) == ["en-GB.json", "en-US.json"]


def test_a_locale_added_without_endpoint_keeps_the_packages_address(tmp_path: Path) -> None:
    """Adding en-GB without --endpoint put the placeholder back over the address en-US was exported with."""
    base = ["export", "alexa", "customer_service", "-o", str(tmp_path)]
    first = CliRunner().invoke(cli, [*base, "-l", "en-US", "--endpoint", "https://shop.example.org/alexa"])
    second = CliRunner().invoke(cli, [*base, "-l", "en-GB"])
    assert first.exit_code == second.exit_code == 0 and "warning" not in second.output, second.output
    endpoint = _manifest(tmp_path)["apis"]["custom"]["endpoint"]
    assert endpoint["uri"] == "https://shop.example.org/alexa"


def test_a_manifest_that_is_no_json_is_one_sentence(tmp_path: Path) -> None:
    manifest = tmp_path / "skill-package" / "skill.json"
    manifest.parent.mkdir()
    manifest.write_text("{ not json")
    result = CliRunner().invoke(cli, ["export", "alexa", "customer_service", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"error: {manifest} is not a JSON manifest (" in result.output
    assert result.output.endswith("fix or remove it and export again.\n")


@pytest.mark.parametrize(
    ("kind", "option", "address", "warning"),
    [
        (
            "alexa",
            "--endpoint",
            "https://voice.example.org/alexa",
            "warning: no --endpoint was given, so the manifest sends Alexa's requests to "
            "https://voice.example.com/alexa; pass --endpoint https://<your server>/alexa before you deploy.",
        ),
        (
            "dialogflow",
            "--webhook-url",
            "https://voice.example.org/dialogflow",
            "warning: no --webhook-url was given, so the agent has no webhook address; "
            "pass --webhook-url https://<your server>/dialogflow before you deploy.",
        ),
    ],
    ids=["alexa", "dialogflow"],
)
def test_an_export_without_the_webhooks_address_says_what_to_pass(
    tmp_path: Path, kind: str, option: str, address: str, warning: str
) -> None:
    """The Alexa manifest pointed at example.com without a word, the agent at no webhook."""
    out = ["-o", str(tmp_path / ("alexa" if kind == "alexa" else "agent.zip"))]
    without = CliRunner().invoke(cli, ["export", kind, "customer_service", *out])
    assert without.exit_code == 0 and without.stderr.splitlines() == [warning], without.output
    given = CliRunner().invoke(cli, ["export", kind, "customer_service", *out, option, address])
    assert given.exit_code == 0 and given.stderr == "", given.output


@pytest.mark.parametrize("kind", ["alexa", "dialogflow"])
def test_a_project_skill_is_exported_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """``voice export alexa hours`` with ./skills/hours looked only among the shipped skills ("there is no
    skill 'hours' in the shipped skills"), where voice test, chat and parse find it by name."""
    (tmp_path / "skills").mkdir()
    _hours_skill(tmp_path / "skills")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export", kind, "hours", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "wrote " in result.output


def test_a_dutch_team_reads_the_exports_warning_in_dutch(tmp_path: Path) -> None:
    """The warning of an agent without a webhook was English, marked "warning:", to a Dutch team."""
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\n[insights]\nlanguage = "nl"\n')
    out = ["-o", str(tmp_path / "agent.zip"), "--config", str(config)]
    result = CliRunner().invoke(cli, ["export", "dialogflow", "customer_service", *out])
    assert result.exit_code == 0 and result.stderr.splitlines() == [
        "waarschuwing: er is geen --webhook-url gegeven, dus heeft de agent geen webhookadres; geef "
        "--webhook-url https://<uw server>/dialogflow voordat u uitrolt."
    ], result.output
