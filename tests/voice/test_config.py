"""voice.config: defaults without a file, strict validation with one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from voice.cli import cli
from voice.config import Config, load_config, skill_references
from voice.errors import ConfigError


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOICE_CONFIG", raising=False)
    config = load_config()
    assert config == Config() and config.locales == () and config.fuzzy_threshold is None
    assert "customer_service" in skill_references(config)


def test_a_file_sets_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "voice.toml"
    path.write_text(
        'skills = ["customer_service"]\nfuzzy_threshold = 0.85\n[voices]\nnl = "nl+f2"\n'
        '[skill.customer_service]\norders_file = "/srv/orders.json"\n'
    )
    monkeypatch.setenv("VOICE_CONFIG", str(path))
    config = load_config()
    assert config.skills == ("customer_service",) and config.fuzzy_threshold == 0.85
    assert (
        config.voices == {"nl": "nl+f2"}
        and config.skill["customer_service"]["orders_file"] == "/srv/orders.json"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("skils = []\n", r"unknown setting 'skils'; known settings: .*skills"),
        ("skills = 'customer_service'\n", r"'skills' must be a list of names"),
        ("fuzzy_threshold = 2\n", r"fuzzy_threshold must be a number above 0 and at most 1"),
        ("skills = [\n", r"is not valid TOML"),
    ],
    ids=["typo", "not-a-list", "threshold", "bad-toml"],
)
def test_bad_settings_are_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "voice.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml does not exist"):
        load_config(tmp_path / "nope.toml")


def test_server_settings_merge_defaults_file_and_overrides() -> None:
    from voice.server import SERVER_DEFAULTS, server_settings

    config = Config.from_dict(
        {"server": {"dialogflow_token": "from-file", "ALEXA_VERIFY": False}}, source="voice.toml"
    )
    settings = server_settings(config, {"DIALOGFLOW_TOKEN": "override", "max_content_length": 1024})
    assert set(settings) == set(SERVER_DEFAULTS)
    assert (settings["dialogflow_token"], settings["alexa_verify"]) == ("override", False)
    assert (settings["max_content_length"], settings["dialogflow_state_lifespan"]) == (1024, 50)
    with pytest.raises(ConfigError, match=r"unknown \[server\] setting 'alexa_verifi'"):
        server_settings(config, {"alexa_verifi": False})
    assert server_settings(config, {"alexa_verifi": False}, strict=False)["alexa_verify"] is False
    typo = Config.from_dict({"server": {"alexa_aplication_ids": []}}, source="voice.toml")
    with pytest.raises(ConfigError, match=r"voice.toml: unknown \[server\] setting 'alexa_aplication_ids'"):
        server_settings(typo, {}, strict=False)  # the file is always strict


@pytest.mark.parametrize("command", [["check"], ["serve"], ["parse", "what are your opening hours"]])
def test_a_skill_table_of_no_loaded_skill_is_refused_with_the_nearest_name(
    tmp_path: Path, command: list[str]
) -> None:
    """``[skill.custmer_service]`` passed check and serve; every booking then failed at run time."""
    path = tmp_path / "voice.toml"
    path.write_text(
        f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n'
        '[skill.custmer_service]\nbooking_url = "https://calendar.example.com/api"\n'
    )
    result = CliRunner().invoke(cli, [*command, "--config", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert result.output == (
        f"error: {path}: [skill.custmer_service] is for a skill that is not loaded "
        "(did you mean [skill.customer_service]?); the loaded skills are customer_service.\n"
    )


def test_the_tables_of_skills_a_command_leaves_out_are_no_mistake(tmp_path: Path) -> None:
    """``voice check SKILL`` checks one of the configured skills; the others' tables stay valid."""
    other = tmp_path / f"hours_{tmp_path.name.replace('-', '_')}"  # a module name no other test imports
    (other / "locales" / "en").mkdir(parents=True)
    (other / "__init__.py").write_text(f"from voice import Skill\nskill = Skill({other.name!r}, __file__)\n")
    (other / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Hours:\n    data: [{sentences: [when are you open]}]\n"
    )
    (other / "locales" / "en" / "responses.yaml").write_text("responses:\n  Hours: Nine to five.\n")
    path = tmp_path / "voice.toml"
    path.write_text(
        f'skills = ["customer_service", "{other}"]\n'
        '[skill.customer_service]\nbooking_url = "https://calendar.example.com/api"\n'
    )
    result = CliRunner().invoke(cli, ["check", str(other), "--config", str(path)])
    assert result.exit_code == 0, result.output
