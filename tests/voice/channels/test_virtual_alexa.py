"""A real Alexa client: the npm package virtual-alexa drives the running server over loopback.

virtual-alexa reads the interaction model that ``voice export alexa`` wrote, resolves utterances
to intents and slots the way Alexa does, keeps the dialog's slots between turns and posts the
envelopes to ``/alexa`` over HTTP. The server is the production app (dialog over an SQLite
store), its booking API a local stub. Needs ``node``; ``npm ci`` runs when node_modules is missing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from voice import load_skill
from voice.export import alexa_package
from voice.server import create_app

DRIVER = Path(__file__).resolve().parent / "virtual_alexa"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed; virtual-alexa needs Node.js")


class BookingApi(BaseHTTPRequestHandler):
    """The company's booking API: every appointment is booked as A1."""

    booked: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        BookingApi.booked.append(json.loads(self.rfile.read(length)))
        body = json.dumps({"id": "A1"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        """Quiet: the test output is the conversation."""


@pytest.fixture(scope="module")
def driver() -> Path:
    """The Node driver with virtual-alexa installed (``npm ci`` on a fresh checkout). The test workers
    take turns at the install: ``npm ci`` first empties node_modules, under a worker already using it."""
    with (DRIVER / "node_modules.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (DRIVER / "node_modules" / "virtual-alexa").is_dir():
            npm = shutil.which("npm")
            if npm is None:
                pytest.skip("npm is not installed; run 'npm ci --prefix tests/voice/channels/virtual_alexa'")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=DRIVER, check=True, timeout=600)
    return DRIVER / "drive.js"


@pytest.fixture(scope="module")
def booking_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BookingApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def skill_url(tmp_path_factory: pytest.TempPathFactory, booking_url: str) -> Iterator[str]:
    """The production app (dialog, SQLite store) served by werkzeug on a free loopback port."""
    folder = tmp_path_factory.mktemp("server")
    config = folder / "voice.toml"
    config.write_text(
        f'skills = ["customer_service"]\nstore = "sqlite:///{folder / "s.db"}"\n'
        f'[skill.customer_service]\nbooking_url = "{booking_url}"\n'
        f'[handoff]\nqueue = "{folder / "handoff.jsonl"}"\n'
    )
    app = create_app({"VOICE_CONFIG": str(config), "ALEXA_VERIFY": False})
    app.extensions["voice.assistant"].wait_until_ready(300)  # the FAQ loads in the background
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}/alexa"
    server.shutdown()
    app.extensions["voice.assistant"].close()  # its outbox and checkpoint threads


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return alexa_package(load_skill("customer_service"), "en-US").write(tmp_path_factory.mktemp("export"))


def converse(
    driver: Path, skill_url: str, model_file: Path, steps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Run one virtual-alexa session of ``steps``; each result has the request and the response."""
    script = model_file.parent / "script.json"
    script.write_text(
        json.dumps({"skillURL": skill_url, "interactionModel": str(model_file), "steps": steps})
    )
    done = subprocess.run(
        [str(NODE), str(driver), str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    errors = [r["error"] for r in results if "error" in r]
    assert done.returncode == 0 and not errors, errors or done.stderr
    assert len(results) == len(steps)
    return results


def speech(result: dict[str, Any]) -> str:
    ssml: str = result["response"]["response"]["outputSpeech"]["ssml"]
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


def directive(result: dict[str, Any]) -> tuple[str, str | None] | None:
    directives = result["response"]["response"].get("directives") or []
    if not directives:
        return None
    found = directives[0]
    return found["type"], found.get("slotToElicit") or found.get("slotToConfirm")


def next_open_weekday() -> dt.date:
    """A Monday to Friday at least two days ahead: the shop is open and the date is bookable."""
    day = dt.date.today() + dt.timedelta(days=2)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def test_launch_utterances_and_stop(driver: Path, skill_url: str, model_file: Path) -> None:
    # virtual-alexa takes any utterance with "open" in it for a launch phrase, so none is used here
    launch, hours, monday, stop = converse(
        driver,
        skill_url,
        model_file,
        [
            {"launch": True},
            {"utter": "what time do you close"},
            {"utter": "what about monday"},
            {"utter": "stop"},
        ],
    )
    assert launch["request"]["request"]["type"] == "LaunchRequest"
    assert speech(launch) == "Welcome to Voorbeeld BV! How can I help you?"
    assert launch["response"]["response"]["shouldEndSession"] is False
    assert hours["request"]["request"]["intent"]["name"] == "OpeningHours"
    assert speech(hours).startswith("We are open Monday to Friday from 9:00 to 17:30")
    assert monday["request"]["request"]["intent"]["slots"]["day"]["value"] == "monday"
    assert speech(monday) == "On Monday we are open from 9:00 to 17:30."
    assert stop["request"]["request"]["intent"]["name"] == "AMAZON.StopIntent"
    assert speech(stop) == "Goodbye, and thank you."
    assert stop["response"]["response"]["shouldEndSession"] is True


def test_greeting_thanks_and_asking_for_a_person(driver: Path, skill_url: str, model_file: Path) -> None:
    # virtual-alexa knows only the exported samples: every sentence of "(get|give) me <person>", but 40
    # of the 240 of "[i want to|...] (talk|speak) (to|with) <person>", and which 40 changes when a
    # built-in template is added before it ("i want to speak to someone" was in, then out)
    _, hello, thanks, person = converse(
        driver,
        skill_url,
        model_file,
        [
            {"launch": True},
            {"utter": "good morning"},
            {"utter": "thank you"},
            {"utter": "get me a real person"},
        ],
    )
    assert hello["request"]["request"]["intent"]["name"] == "Greeting"
    assert speech(hello) == "Hello! How can I help you?"
    assert speech(thanks) == "You're welcome! Is there anything else I can do for you?"
    assert person["request"]["request"]["intent"]["name"] == "TalkToAgent"
    assert speech(person) == "I'll put you through to one of my colleagues. Please hold on."


def test_a_booking_with_elicitation_and_confirmation(driver: Path, skill_url: str, model_file: Path) -> None:
    day = next_open_weekday()
    turns = converse(
        driver,
        skill_url,
        model_file,
        [
            {"utter": "i want to book an appointment"},
            {"intend": "BookAppointment", "slots": {"date": day.isoformat()}},
            {"intend": "BookAppointment", "slots": {"time": "10:00"}},
            {"utter": "my name is anna smith"},
            {"utter": "yes"},
            {"utter": "about a return"},
            {"utter": "yes"},
            {"utter": "stop"},
        ],
    )
    start, date, time, name, name_confirmed, topic, booked, stop = turns
    assert start["request"]["request"]["dialogState"] == "STARTED"
    assert (speech(start), directive(start)) == (
        "On which day would you like to come?",
        ("Dialog.ElicitSlot", "date"),
    )
    assert (speech(date), directive(date)) == ("At what time?", ("Dialog.ElicitSlot", "time"))
    assert (speech(time), directive(time)) == ("And what is your name?", ("Dialog.ElicitSlot", "name"))
    assert name["request"]["request"]["intent"]["slots"]["name"]["value"] == "anna smith"
    assert speech(name) == "Did I get your name right: Anna Smith?"
    assert directive(name) == ("Dialog.ConfirmSlot", "name")
    assert speech(name_confirmed).startswith("What is the appointment about")
    assert topic["request"]["request"]["intent"]["slots"]["topic"]["value"] == "a return"
    assert speech(topic).endswith("at 10:00 for Anna Smith about a return. Shall I book it?")
    assert directive(topic) == ("Dialog.ConfirmIntent", None)
    assert speech(booked).startswith("Done! Your appointment is booked for")
    said = 'at 10:00. Your booking number is <sub alias="A 1">A1</sub>.'  # Alexa says the alias
    assert speech(booked).endswith(said), speech(booked)
    assert BookingApi.booked[-1] == {
        "date": day.isoformat(),
        "time": "10:00",
        "name": "Anna Smith",
        "topic": "return",
    }
    assert stop["response"]["response"]["shouldEndSession"] is True
