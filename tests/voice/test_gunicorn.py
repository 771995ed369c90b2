"""The documented production command: gunicorn serving ``voice.server:create_app()`` over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import new_store_url

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


@pytest.fixture(scope="module")
def server(store_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Two gunicorn workers with verification off, once on SQLite and once on PostgreSQL; the base URL
    and the error log file."""
    folder = tmp_path_factory.mktemp("gunicorn")
    config = folder / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "{new_store_url(store_kind, folder)}"\n')
    error_log = folder / "error.log"
    port = _free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "--error-logfile", str(error_log)]
        + ["voice.server:create_app()"],
        cwd=ROOT,
        env={**os.environ, "VOICE_CONFIG": str(config), "VOICE_ALEXA_VERIFY": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"gunicorn did not start; its log:\n{error_log.read_text()}")
            time.sleep(0.2)
    yield base, error_log
    process.terminate()
    process.wait(timeout=30)


def test_gunicorn_serves_alexa_and_dialogflow(server: tuple[str, Path]) -> None:
    base, _ = server
    launch = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "g1", "user": {"userId": "u1"}},
        "request": {"type": "LaunchRequest", "requestId": "r1", "locale": "nl-NL"},
    }
    spoken = _post(f"{base}/alexa", launch)["response"]["outputSpeech"]["ssml"]
    assert spoken.startswith("<speak>") and "Welkom" in spoken
    query = {
        "session": "projects/p/agent/sessions/g2",
        "queryResult": {
            "queryText": "wat zijn jullie openingstijden",
            "languageCode": "nl",
            "intent": {"displayName": "OpeningHours"},
            "parameters": {},
        },
    }
    assert "open" in _post(f"{base}/dialogflow", query)["fulfillmentText"]


def test_bad_requests_are_json_4xx_under_gunicorn(server: tuple[str, Path]) -> None:
    base, _ = server
    with pytest.raises(urllib.error.HTTPError) as refused:
        _post(f"{base}/alexa", {"version": "1.0"})
    assert refused.value.code == 400
    assert "Alexa" in json.loads(refused.value.read())["error"]["message"]


def test_our_warnings_reach_gunicorns_error_log_in_its_format(server: tuple[str, Path]) -> None:
    _, error_log = server
    lines = [line for line in error_log.read_text().splitlines() if "verification is OFF" in line]
    assert lines, error_log.read_text()  # one per worker that has booted
    assert all("[WARNING]" in line and line.startswith("[20") for line in lines)


def test_a_broken_skill_stops_gunicorn_with_one_line(tmp_path: Path) -> None:
    """A handler for an intent no template defines: gunicorn exits, and says why in one line."""
    skill = tmp_path / "gunicorn_orphan_handler"
    (skill / "locales" / "en").mkdir(parents=True)
    (skill / "__init__.py").write_text(
        'from voice import Reply, Skill, Turn\n\nskill = Skill("orphan", __file__)\n\n\n'
        '@skill.intent("Goodbye")\ndef goodbye(turn: Turn) -> Reply:\n    return Reply(speech="Bye.")\n'
    )
    (skill / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Hello:\n    data: [{sentences: ['hello there']}]\n"
    )
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{skill}"]\nstore = "sqlite:///{tmp_path / "sessions.db"}"\n')
    # One worker: with several, gunicorn 27.0.1 itself sometimes adds a HaltServer traceback when a
    # second worker exits while the arbiter halts (Arbiter.stop -> reap_workers raises again).
    done = subprocess.run(
        [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{_free_port()}", "voice.server:create_app()"],
        cwd=ROOT,
        env={**os.environ, "VOICE_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    ours = {line for line in done.stderr.splitlines() if not line.startswith("[")}  # not gunicorn's own
    (line,) = ours
    assert line.startswith("error: skill 'orphan' has a handler for intent 'Goodbye'"), line
