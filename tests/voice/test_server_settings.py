"""Server settings from the environment: secrets stay when an app is built in code, and credentials
are text however they are written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_server import UNVERIFIED, VALID, assert_json_error

from voice.cli import cli
from voice.errors import ConfigError
from voice.server import create_app


def test_an_app_built_in_code_keeps_the_secrets_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Settings given to ``create_app`` (a verifier, say) go on top of ``VOICE_*``: the token stays."""
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\n')
    monkeypatch.setenv("VOICE_DIALOGFLOW_TOKEN", "from-env")
    client = create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)}).test_client()
    body = VALID["/dialogflow"]
    assert_json_error(client.post("/dialogflow", json=body), 401)
    assert client.post("/dialogflow", json=body, headers={"X-Voice-Token": "from-env"}).status_code == 200


@pytest.mark.parametrize("written", ["123456", '"123456"'])
def test_a_token_of_digits_is_text_whether_quoted_or_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, written: str
) -> None:
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\n')
    monkeypatch.setenv("VOICE_DIALOGFLOW_TOKEN", written)
    client = create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)}).test_client()
    body = VALID["/dialogflow"]
    assert_json_error(client.post("/dialogflow", json=body, headers={"X-Voice-Token": "12345"}), 401)
    assert client.post("/dialogflow", json=body, headers={"X-Voice-Token": "123456"}).status_code == 200


def test_a_credential_that_is_not_text_stops_the_start(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\n[server]\ndialogflow_token = 987654\n')
    with pytest.raises(
        ConfigError, match=r"dialogflow_token = \(hidden\); it must be text; quote it, as in"
    ) as raised:
        create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)})
    assert "987654" not in str(raised.value), "a secret is not written into the error (it goes to logs)"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('max_content_length = "128k"', "max_content_length = '128k'; it must be the largest request body"),
        ("max_content_length = -1", "max_content_length = -1; it must be the largest request body in bytes"),
        ("max_content_length = 0", "max_content_length = 0; it must be the largest request body in bytes"),
        ('dialogflow_state_lifespan = "x"', "dialogflow_state_lifespan = 'x'; it must be the turns"),
        ("dialogflow_state_lifespan = 0", "dialogflow_state_lifespan = 0; it must be the turns"),
        ('dialogflow_intent_map = { "a" = 1 }', "dialogflow_intent_map = {'a': 1}; it must be a table"),
        ('alexa_application_ids = "amzn1.ask.skill.1"', "it must be a list of skill ids"),
    ],
)
@pytest.mark.parametrize("command", ["check", "serve"])
def test_a_server_value_of_the_wrong_form_stops_check_and_serve_alike(
    tmp_path: Path, line: str, words: str, command: str
) -> None:
    """Serve crashed on "128k" with a traceback, started on -1 to answer every request 413, and refused
    the text where a list belongs only after ``voice check`` had passed it."""
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n[server]\n{line}\n'
    )
    result = CliRunner().invoke(cli, [command, "--config", str(config)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert result.output.startswith(f"error: {config}: [server] ") and words in result.output
    assert result.output.count("\n") == 1
    with pytest.raises(ConfigError, match=re.escape(words)):
        create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)})


def _setting_warnings(output: str) -> list[str]:
    """The warnings of ``voice check`` but those of the shipped skill's sample data (tests/skills)."""
    return [line for line in output.splitlines() if line.startswith("warning:") and " skill '" not in line]


def _served_config(tmp_path: Path, server: str = "") -> Path:
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["customer_service"]\nlocales = ["en"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n'
        f"[server]\n{server}"
    )
    return config


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VOICE_MAX_CONTENT_LENGTH", "0"),
        ("VOICE_ALEXA_VERIFY", '"no"'),
        ("VOICE_ALEXA_VERIFY", "no"),
        ("VOICE_ALEXA_APPLICATION_IDS", "1"),
    ],
)
@pytest.mark.parametrize("command", ["check", "serve"])
def test_an_environment_value_that_stops_the_start_stops_check_with_the_same_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, command: str
) -> None:
    """``voice check`` read the file's ``[server]`` only, and said OK for what gunicorn then refused; the
    sentence blamed the config file (or "settings") where the environment variable held the value."""
    config = _served_config(tmp_path, 'alexa_application_ids = ["amzn1.ask.skill.1"]\n')
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        create_app({"VOICE_CONFIG": str(config)})
    assert refused.value.message.startswith(f"the environment variable {variable}: [server] ")
    result = CliRunner().invoke(cli, [command, "--config", str(config)])
    assert (
        result.exit_code == refused.value.exit_code and result.output == f"error: {refused.value.message}\n"
    )


def test_check_names_the_environment_variables_it_applied_and_not_their_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = _served_config(tmp_path, 'dialogflow_token = "from-file"\n')
    monkeypatch.setenv("VOICE_DIALOGFLOW_TOKEN", "s3cret")
    monkeypatch.setenv("VOICE_ALEXA_APPLICATION_IDS", '["amzn1.ask.skill.1"]')
    monkeypatch.setenv("VOICE_VENV", "/opt/voice")  # a VOICE_* variable that is no setting
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "settings from the environment, as every start reads them: "
        "VOICE_ALEXA_APPLICATION_IDS, VOICE_DIALOGFLOW_TOKEN"
    )
    assert "s3cret" not in result.output and not _setting_warnings(result.output)


_NO_IDS_WARNING = (
    "warning: Alexa request verification is on and alexa_application_ids is empty, so the server "
    "(voice serve, gunicorn) will refuse to start; set [server] alexa_application_ids to your skill's id "
    '(["amzn1.ask.skill.…"]), or, for development only, run voice serve --no-verify.\n'
)


@pytest.mark.parametrize(
    ("server", "environment", "warned"),
    [
        ("", {}, True),
        ("alexa_verify = true\n", {}, True),
        ('alexa_application_ids = ["amzn1.ask.skill.1"]\n', {}, False),
        ("alexa_accept_any_skill = true\n", {}, False),
        ("alexa_verify = false\n", {}, False),
        ("", {"VOICE_ALEXA_VERIFY": "false"}, False),
        ("alexa_verify = false\n", {"VOICE_ALEXA_VERIFY": "true"}, True),
    ],
)
def test_check_warns_of_verification_without_skill_ids_as_the_start_refuses_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: str, environment: dict[str, str], warned: bool
) -> None:
    """Check passed a config that the server then refused; refusing in check would break the development
    configs that ``voice serve --no-verify`` runs, so it warns, and exits as before."""
    config = _served_config(tmp_path, server)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (_NO_IDS_WARNING in result.output) is warned, result.output
    assert len(_setting_warnings(result.output)) == warned
    if warned:
        with pytest.raises(
            ConfigError, match="alexa_application_ids is empty while Alexa verification is on"
        ):
            create_app({"VOICE_CONFIG": str(config)})
    else:
        create_app({"VOICE_CONFIG": str(config)})


@pytest.mark.parametrize("command", ["check", "serve"])
def test_an_intent_map_to_an_intent_no_skill_defines_stops_check_and_serve_alike(
    tmp_path: Path, command: str
) -> None:
    """``voice check`` passed ``"opening.hours" = "OpeningHourz"``; each such request got the fallback."""
    config = _served_config(
        tmp_path, 'dialogflow_intent_map = { "welcome" = "Launch", "opening.hours" = "OpeningHourz" }\n'
    )
    sentence = (
        f"{config}: [server] dialogflow_intent_map maps 'opening.hours' to 'OpeningHourz', which no loaded "
        "skill defines (did you mean 'OpeningHours'?), so those requests would get the fallback; fix the "
        "intent's name."
    )
    result = CliRunner().invoke(cli, [command, "--config", str(config)])
    assert result.exit_code == 2 and result.output == f"error: {sentence}\n", result.output
    with pytest.raises(ConfigError, match=re.escape(sentence)):
        create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)})
    config.write_text(config.read_text().replace("OpeningHourz", "OpeningHours"))
    assert (
        create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)}).test_client().get("/healthz").status_code
        == 200
    )


def test_a_dialogflow_channel_without_options_reads_requests_as_one_from_an_empty_server_table() -> None:
    """``DialogflowChannel(responder)`` (its settings' defaults) and a start with no ``dialogflow_*`` keys
    (``SERVER_SETTINGS``) treat a request alike: the defaults are written once."""
    from voice.channels.dialogflow_settings import SERVER_SETTINGS, DialogflowSettings

    assert DialogflowSettings() == DialogflowSettings.from_server(SERVER_SETTINGS)
