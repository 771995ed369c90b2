"""The documented production command: gunicorn serving ``voice.server:create_app()`` over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import new_store_url
from mutation_campaign import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


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
    with serve(folder, "-w", "2", store=new_store_url(store_kind, folder)) as (port, error_log):
        yield f"http://127.0.0.1:{port}", error_log


def test_gunicorn_serves_alexa_and_dialogflow(server: tuple[str, Path]) -> None:
    base, _ = server
    launch = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "g1", "user": {"userId": "u1"}},
        "request": {"type": "LaunchRequest", "requestId": "r1", "locale": "nl-NL"},
    }
    spoken = _post(f"{base}/alexa", launch)["response"]["outputSpeech"]["ssml"]
    assert spoken.startswith("<speak>") and "Welkom bij Voorbeeld BV!" in spoken
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
    assert len(lines) == 2, error_log.read_text()  # one per worker
    assert all("[WARNING]" in line and line.startswith("[20") for line in lines)
    log = error_log.read_text()  # the shipped skill's sample data, named as voice check names it
    assert log.count("data/company.yaml still has the sample company's details") == 2, log
    assert log.count("data/orders.json holds the sample orders") == 2, log


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
        [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{free_port()}", "voice.server:create_app()"],
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
