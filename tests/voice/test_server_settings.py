"""Server settings from the environment: secrets stay when an app is built in code, and credentials
are text however they are written."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_server import UNVERIFIED, VALID, assert_json_error

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
    config.write_text('skills = ["customer_service"]\n[server]\ndialogflow_token = 123456\n')
    with pytest.raises(
        ConfigError, match='dialogflow_token must be text; quote it, as in dialogflow_token = "123456"'
    ):
        create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)})
