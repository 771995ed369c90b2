"""Config tables refuse unknown keys and values of the wrong shape with one sentence (issue 16, item 5)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from voice import ConfigError, Turn
from voice.assistant import MEMORY_STORE, build_assistant
from voice.cli import cli
from voice.config import Config, load_config
from voice.config_shapes import HANDOFF_KEYS
from voice.dialog.handoff import POLICY_SETTINGS
from voice.testing import assistant_for_tests


@pytest.mark.parametrize(
    ("toml", "sentence"),
    [
        ('[store]\nurl = "sqlite:///x.db"\n', r"'store' is a table; it must be a URL in quotes at the top"),
        ('[handoff]\nqueu = "/tmp/h.jsonl"\n', r"unknown setting 'queu' in \[handoff\]; known: url, queue"),
        (
            '[handoff]\nretries = "three"\n',
            r"\[handoff\] retries = 'three'; it must be how often .* a whole number",
        ),
        ("[handoff]\ntimeout = 0\n", r"\[handoff\] timeout = 0; it must be seconds per POST"),
        ('[handoff]\nurl = "crm.example.com"\n', r"\[handoff\] url must start with http:// or https://"),
        ('speaking_rate = "fast"\n', r"'speaking_rate' is 'fast'; it must be a number of words a minute"),
        ("retention_days = true\n", r"'retention_days' is True; it must be a number of days"),
        ("[models]\nnl = 3\n", r"\[models\] nl = 3; it must be text, a model folder path"),
        ('models = "nl"\n', r"'models' is 'nl'; it must be a table of language = model folder"),
        ('skill = "customer_service"\n', r"'skill' is 'customer_service'; it must be one table per skill"),
        ('[server]\n[handoff]\nurl = "https://crm.example.com"\nqueue = 1\n', r"\[handoff\] queue = 1"),
        ('[dashboard]\nsession_hours = "8"\n', r"\[dashboard\] session_hours = '8'; it must be hours"),
        ("[dashboard]\nsession_hours = -1\n", r"\[dashboard\] session_hours = -1; it must be .* above 0"),
        ("[dashboard]\nsession_hours = inf\n", r"\[dashboard\] session_hours = inf; it must be .* at most a"),
        ('[dashboard]\nlockout_failures = "five"\n', r"lockout_failures = 'five'; it must be .* whole"),
        ("[dashboard]\nlockout_failures = 0\n", r"\[dashboard\] lockout_failures = 0; it must be"),
        ("[dashboard]\nlockout_minutes = -5\n", r"\[dashboard\] lockout_minutes = -5; it must be minutes"),
        ('[dashboard]\nsecure_cookies = "no"\n', r"\[dashboard\] secure_cookies = 'no'; it must be true or"),
        ("[dashboard]\nsecret_key = 42\n", r"\[dashboard\] secret_key = \(hidden\); it must be text"),
        ("[dashboard.users]\nanna = 1\n", r"\[dashboard\] users = \(hidden\); it must be a table of name"),
        ("[dashboard]\nlockout = 3\n", r"unknown setting 'lockout' in \[dashboard\]; known: users"),
        ("[handoff]\nmax_fallbacks = 0\n", r"\[handoff\] max_fallbacks = 0; it must be .* above 0"),
        ('[handoff]\nmax_low_confidence = "3"\n', r"\[handoff\] max_low_confidence = '3'; it must be"),
        ("[handoff]\nlow_confidence_below = 50\n", r"low_confidence_below = 50; it must be .* from 0 to 1"),
        ("[handoff]\nmax_no_input = -1\n", r"\[handoff\] max_no_input = -1; it must be the silent turns"),
        (
            "[handoff]\nmax_refusals = 0\n",
            r"\[handoff\] max_refusals = 0; it must be the value in a row .* above 0",
        ),
        ('[handoff]\nirritation_cues = ["stom"]\n', r"irritation_cues = \['stom'\]; it must be a table"),
        ('[handoff]\nirritation_cues = { nl = "stom" }\n', r"irritation_cues = \{'nl': 'stom'\}; it must"),
        ('[handoff]\nirritation_cues = { dutch = ["stom"] }\n', r"it must be a table of language code"),
        ('[handoff]\nirritation_cues = { nl = ["?!"] }\n', r"irritation_cues = \{'nl': \['\?!'\]\}; it must"),
        ('[handoff]\nhours = "weekdays"\n', r"\[handoff\] hours = 'weekdays'; it must be when colleagues"),
        (
            '[handoff]\nhours = { monday = "9-17" }\n',
            r"\[handoff\] hours, monday: '9-17' is not like 09:00-17:30 or 'closed'; fix the hours\.$",
        ),
        ('[handoff]\nhours = { maandag = "09:00" }\n', r"\[handoff\] hours: 'maandag' is not a weekday"),
        ('[insights]\nlanguage = "fr"\n', r"\[insights\] language = 'fr'; it must be .* one of en, nl"),
        ('time_zone = "Europe/Amsterdm"\n', r"'time_zone' is 'Europe/Amsterdm'; it must be .* IANA"),
        ('time_zone = "../../etc/passwd"\n', r"'time_zone' is '../../etc/passwd'; it must be"),
        ("time_zone = 1\n", r"'time_zone' is 1; it must be the business's time zone"),
    ],
)
def test_a_setting_of_the_wrong_shape_is_one_sentence(tmp_path: Path, toml: str, sentence: str) -> None:
    file = tmp_path / "voice.toml"
    file.write_text(toml)
    with pytest.raises(ConfigError, match=sentence) as raised:
        load_config(file)
    assert str(file) in raised.value.message and raised.value.message.count(".") >= 1


def test_every_handoff_key_is_accepted() -> None:
    triggers = {
        "max_fallbacks": 2,
        "max_low_confidence": 4,
        "low_confidence_below": 0.6,
        "max_no_input": 0,
        "max_refusals": 5,
        "irritation_cues": {"nl": ["Stomme computer!"], "en": []},
        "hours": {"monday": "09:00-17:00", "saturday": "10:00-12:00, 13:00-16:00", "sunday": "closed"},
    }
    delivery = {"url": "https://crm.example.com/h", "queue": "/tmp/q.jsonl", "timeout": 2, "retries": 3}
    config = Config.from_dict({"handoff": {**delivery, **triggers}})
    assert config.handoff["retries"] == 3
    assert set(POLICY_SETTINGS) <= set(HANDOFF_KEYS)
    policy = build_assistant(replace(config, store=MEMORY_STORE)).dialog.policy  # type: ignore[attr-defined]
    assert (policy.max_fallbacks, policy.max_low_confidence, policy.low_confidence_below) == (2, 4, 0.6)
    assert (policy.max_no_input, policy.max_refusals) == (0, 5)
    assert policy.hours is not None and policy.hours.windows(5) == (
        (dt.time(10), dt.time(12)),
        (dt.time(13), dt.time(16)),
    )
    assert policy.irritated("wat een STOMME computer", "nl")
    assert not policy.irritated("dit is belachelijk", "nl")  # the team's list replaces the built-in one
    assert not policy.irritated("this is useless", "en")  # an empty list: no irritation cues


@pytest.mark.parametrize("command", [["chat"], ["check"], ["parse", "hallo"], ["test"]])
def test_a_store_table_stops_every_command_with_one_line(tmp_path: Path, command: list[str]) -> None:
    file = tmp_path / "voice.toml"
    file.write_text('[store]\nurl = "sqlite:///x.db"\n')
    result = CliRunner().invoke(cli, ["--config", str(file), *command], input="")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith("error: ") and "'store' is a table" in result.output


@pytest.mark.parametrize("command", [["check"], ["serve"], ["dashboard", "user", "list"]])
def test_a_dashboard_value_of_the_wrong_form_stops_check_serve_and_the_dashboard_commands(
    tmp_path: Path, command: list[str]
) -> None:
    """``voice check`` passed ``session_hours = "8"`` that ``voice serve`` then died on with a traceback."""
    file = tmp_path / "voice.toml"
    file.write_text(f'store = "sqlite:///{tmp_path / "s.db"}"\n[dashboard]\nsession_hours = "8"\n')
    result = CliRunner().invoke(cli, [*command, "--config", str(file)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith("error: ") and "[dashboard] session_hours = '8'" in result.output


@pytest.mark.parametrize("command", [["check"], ["serve"], ["dashboard", "user", "list"]])
def test_a_plain_password_among_the_dashboard_users_stops_the_start_without_showing_it(
    tmp_path: Path, command: list[str]
) -> None:
    """A plain password was accepted, and every login with it then failed with 401."""
    file = tmp_path / "voice.toml"
    hashed = generate_password_hash("another password")
    file.write_text(
        f'store = "sqlite:///{tmp_path / "s.db"}"\n[dashboard]\n'
        f'users = {{ bert = "{hashed}", anna = "plaintextpw" }}\n'
    )
    result = CliRunner().invoke(cli, [*command, "--config", str(file)])
    assert result.exit_code != 0 and "Traceback" not in result.output and "plaintextpw" not in result.output
    assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1
    assert "[dashboard] users: the value of 'anna' is not a password hash" in result.output
    assert "voice dashboard user hash" in result.output


def test_chat_hands_off_through_the_configured_handoff(tmp_path: Path) -> None:
    queue = tmp_path / "handoff.jsonl"
    file = tmp_path / "voice.toml"
    file.write_text(f'skills = ["customer_service"]\n[handoff]\nqueue = "{queue}"\n')
    result = CliRunner().invoke(
        cli, ["chat", "-l", "nl", "--memory", "--config", str(file)], input="mag ik een medewerker spreken\n"
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in queue.read_text().splitlines()]
    assert [record["reason"] for record in records] == ["asked"]


def test_the_handoff_triggers_of_the_config_file_decide_in_chat(tmp_path: Path) -> None:
    """The triggers were HandoffPolicy fields only: a team serving with gunicorn could not change them."""
    queue = tmp_path / "handoff.jsonl"
    file = tmp_path / "voice.toml"
    file.write_text(
        f'skills = ["customer_service"]\n[handoff]\nqueue = "{queue}"\nmax_fallbacks = 1\n'
        'irritation_cues = { nl = ["stomme computer"] }\n'
    )
    said = {
        "nl": ["xq blorf zzk", "wat zijn jullie openingstijden\nwat een stomme computer"],
        "en": ["this is useless"],
    }
    for language, sessions in said.items():
        for words in sessions:
            command = ["chat", "-l", language, "--memory", "--config", str(file)]
            result = CliRunner().invoke(cli, command, input=f"{words}\n")
            assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in queue.read_text().splitlines()]
    assert [record["reason"] for record in records] == ["fallbacks", "irritation", "irritation"]
    assert [turn["text"] for turn in records[1]["transcript"] if turn["speaker"] == "user"][-1] == (
        "wat een stomme computer"
    )


def test_voice_test_plays_the_scripts_with_the_configured_triggers(tmp_path: Path) -> None:
    config = Config(handoff={"url": "https://crm.example.com/h", "max_low_confidence": 1})
    assistant = assistant_for_tests("customer_service", tmp_path, config)
    try:
        turn = Turn(text="waar is mijn pakket", locale="nl", session_id="s", user_id="u", confidence=0.3)
        assert assistant.respond(turn).handoff
        assert "url" not in assistant.config.handoff  # a test never posts to the team's endpoint
    finally:
        assistant.close()
