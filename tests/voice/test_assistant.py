"""The assistant is built once and every channel and command goes through it (issue 11's acceptance)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from voice import Assistant, Reply, Turn, build_assistant
from voice.assistant import MEMORY_STORE
from voice.builtins import BUILTIN, builtin_intents
from voice.channels import WEBHOOKS, WebhookChannel, WebRequest, WebResponse
from voice.channels.webhook import json_body, lookup
from voice.cli import cli
from voice.config import Config
from voice.grammar import grammar_phrases
from voice.nlu import Matcher, sample_sentences
from voice.server import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def assistant() -> Iterator[Assistant]:
    built = build_assistant(Config(skills=("customer_service",)), store=MEMORY_STORE)
    yield built
    built.close()


@pytest.mark.parametrize(
    ("text", "locale", "intent"), [("yes", "en", "Yes"), ("ja", "nl", "Yes"), ("stop", "en", "Stop")]
)
def test_voice_parse_knows_the_built_in_intents(text: str, locale: str, intent: str) -> None:
    result = CliRunner().invoke(cli, ["parse", text, "-l", locale])
    match = json.loads(result.output)
    assert result.exit_code == 0 and (match["intent"], match["skill"]) == (intent, BUILTIN)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_run_grammar_holds_every_built_in_phrase(assistant: Assistant, language: str) -> None:
    grammar = set(grammar_phrases(assistant.router, language))
    builtins = Matcher([builtin_intents(language)])
    phrases = {" ".join(s.text.lower().split()) for s in sample_sentences(builtins, limit=1000)}
    missing = sorted(phrases - grammar)
    assert len(phrases) > 100 and not missing, missing[:10]


def test_a_typed_chat_is_kept_logged_and_exported(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n')
    said = CliRunner().invoke(
        cli, ["chat", "--config", str(config), "-l", "en", "--user", "anna"], input="hello\nstop\n"
    )
    assert said.exit_code == 0, said.output
    exported = CliRunner().invoke(cli, ["data", "export", "anna", "--config", str(config)])
    data = json.loads(exported.output)
    assert [row["text"] for row in data["log"] if row["speaker"] == "user"] == ["hello", "stop"]
    assert {row["channel"] for row in data["log"]} == {"chat"} and len(data["sessions"]) == 1


def test_chat_with_memory_keeps_nothing(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n')
    CliRunner().invoke(cli, ["chat", "--config", str(config), "--memory", "--user", "bob"], input="hello\n")
    exported = CliRunner().invoke(cli, ["data", "export", "bob", "--config", str(config)])
    assert json.loads(exported.stdout)["log"] == []


class ToyChannel(WebhookChannel):
    """A plain JSON webhook: {"session": "...", "text": "..."} -> {"say": "..."}."""

    name = "toy"
    path = "/toy"
    deadline_s = 3.0
    settings: ClassVar[Mapping[str, Any]] = {"toy_greeting": ""}

    def to_turn(self, request: WebRequest) -> Turn:
        data = json_body(request)
        return Turn(text=lookup(data, "text"), session_id=lookup(data, "session"), channel=self.name)

    def to_response(self, reply: Reply, turn: Turn) -> WebResponse:
        return WebResponse(json.dumps({"say": reply.text, "end": reply.end_session}).encode())


def test_a_toy_channel_is_one_class_and_one_registration_line(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("voice.server.WEBHOOKS", (*WEBHOOKS, ToyChannel))  # the registration line
    monkeypatch.setattr("voice.server.SERVER_DEFAULTS", {"max_content_length": 4096, **_settings()})
    client = create_app({"alexa_verify": False}, assistant=assistant).test_client()
    first = client.post("/toy", json={"session": "toy-1", "text": "what are your opening hours"})
    assert first.status_code == 200 and "Monday" in first.get_json()["say"]
    bad = client.post("/toy", json={"session": "toy-1"})
    assert bad.status_code == 400 and bad.get_json()["error"]["message"] == "the request has no text field."
    log = assistant.store.read_log(session_id="toy-1")
    assert [entry.channel for entry in log] == ["toy", "toy"]


def _settings() -> dict[str, Any]:
    return {key: value for kind in (*WEBHOOKS, ToyChannel) for key, value in kind.settings.items()}


@pytest.mark.parametrize(
    ("skills", "not_loaded"),
    [
        (
            [str(ROOT / "tests" / "voice" / "korean_skill")],
            ("numpy", "vosk", "pyttsx3", "speech", "sounddevice"),
        ),
        # the shipped skill answers from its FAQ: the retrieval engine (bm25s) brings numpy, never speech
        (["customer_service"], ("vosk", "pyttsx3", "speech", "sounddevice")),
    ],
    ids=["no-content", "with-content"],
)
def test_importing_the_wsgi_app_loads_no_speech_stack(
    tmp_path: Path, skills: list[str], not_loaded: tuple[str, ...]
) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f"skills = {json.dumps(skills)}\n")
    script = (
        "import sys, time; from voice.server import create_app; "
        f"create_app({{'alexa_verify': False, 'VOICE_CONFIG': {str(config)!r}}}); time.sleep(1); "
        f"print(sorted(m for m in {not_loaded!r} if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert found.stdout.strip() == "[]", found.stderr


def test_the_assistant_is_built_in_one_place() -> None:
    """Only voice/assistant.py constructs the Dialog; every command and the server call build_assistant."""
    constructors = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "voice").rglob("*.py")
        if "Dialog(" in path.read_text(encoding="utf-8")
        and "class Dialog" not in path.read_text(encoding="utf-8")
    ]
    assert constructors == ["voice/assistant.py"]


def test_locales_limit_the_languages_served(tmp_path: Path) -> None:
    assistant = build_assistant(Config(skills=("customer_service",), locales=("nl-NL",)), store=MEMORY_STORE)
    assert assistant.router.languages == ("nl",)
    reply = assistant.respond(Turn(text="what are your opening hours", locale="en-US"))
    assert reply.text == "Sorry, I can't help in that language yet." and reply.end_session
    assistant.close()
    every = build_assistant(Config(skills=("customer_service",)), store=MEMORY_STORE)
    assert every.router.languages == ("en", "nl"), "without locales, every language of the skills"
    every.close()
