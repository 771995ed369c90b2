"""Loopback pieces for the load benches and tests: stub APIs, the documented gunicorn, a client.

- ``Stub``: one HTTP server on 127.0.0.1 that plays the company's booking API
  (``POST /appointments``, see ``skills/customer_service/booking.py``) and the CRM's handoff
  endpoint (``POST /handoff``, keeping each ``Idempotency-Key``'s record once). Both count what
  they get, and both can hang on demand.
- ``Gunicorn``: ``gunicorn -w N 'voice.server:create_app()'`` with sync or gthread workers, a
  temporary ``voice.toml`` and SQLite store, verification off.
- ``Caller``: Dialogflow and Alexa requests as the platforms send them, timed.

Everything listens on and connects to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.ssml import spoken_text

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
HOST = "127.0.0.1"
DEADLINES = {"alexa": 8.0, "dialogflow": 5.0}
"""How long each platform waits for the webhook."""


class Stub:
    """The booking API and the handoff endpoint, counting what they receive."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.booking_delay = 0.0
        self.bookings: list[dict[str, Any]] = []
        self.closing = threading.Event()
        self.handoff_open = threading.Event()
        self.handoff_open.set()
        self.handoff_posts = 0
        self.handoff_records: dict[str, dict[str, Any]] = {}
        self.handoff_accepted: Counter[str] = Counter()
        """Accepted posts per key: a key above 1 was delivered again (the endpoint keeps it once)."""
        self.server = http.server.ThreadingHTTPServer((HOST, 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="stub", daemon=True).start()

    def hang_handoff(self, hanging: bool) -> None:
        """While hanging, a POST /handoff waits (up to 30 s) and is dropped without an answer."""
        if hanging:
            self.handoff_open.clear()
        else:
            self.handoff_open.set()

    def records_of(self, sessions: set[str]) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {k: r for k, r in self.handoff_records.items() if r.get("session_id") in sessions}

    def close(self) -> None:
        """Stop serving; requests still hanging end at once."""
        self.closing.set()
        self.handoff_open.set()
        self.server.shutdown()
        self.server.server_close()

    def _booking(self, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        """A booking, made before the (optional) delay. Every request books, whatever its
        ``Idempotency-Key``: the counts then show a request the skill sent twice."""
        delay = self.booking_delay
        with self.lock:
            self.bookings.append(body)
            booking_id = f"B{len(self.bookings)}"
        if delay:
            self.closing.wait(delay)
        return 201, {"id": booking_id}

    def _handoff(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        with self.lock:
            self.handoff_posts += 1
        if not self.handoff_open.is_set():
            self.handoff_open.wait(30.0)
            return 0, None  # hung: the sender timed out long ago; drop the connection
        with self.lock:
            self.handoff_accepted[key] += 1
            self.handoff_records.setdefault(key, body)
        return 201, {}

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self.path.endswith("/appointments"):
                    status, answer = stub._booking(body)
                else:
                    status, answer = stub._handoff(self.headers.get("Idempotency-Key", ""), body)
                if not status:
                    self.close_connection = True
                    return
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (a hung call)
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def skill_without_knowledge(folder: Path) -> Path:
    """A copy of customer_service without its FAQ: no answerer has to load (or build) a knowledge
    index on a worker's first unmatched turn, which takes many seconds without a prebuilt index."""
    copy = folder / "customer_service"
    shutil.copytree(
        ROOT / "skills" / "customer_service", copy, ignore=shutil.ignore_patterns("knowledge", "__pycache__")
    )
    return copy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` (gunicorn stops its workers), killing it after 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_serving(
    process: subprocess.Popen[bytes], port: int, log: Path, stop: Callable[[], None]
) -> None:
    """Return once the gunicorn ``process`` answers /healthz on ``port``; else ``stop`` it and raise
    with its ``log``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if Caller(port).get("/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    stop()
    raise RuntimeError(f"gunicorn did not start; its log:\n{log.read_text()}")


class Gunicorn:
    """The documented command on loopback: ``gunicorn -w N 'voice.server:create_app()'``."""

    def __init__(
        self,
        folder: Path,
        stub_url: str,
        *,
        workers: int = 2,
        threads: int = 0,
        skill: str = "customer_service",
    ) -> None:
        """``threads`` 0: sync workers; otherwise ``-k gthread --threads N``. ``skill``: a name or folder."""
        self.folder, self.threads = folder, threads
        folder.mkdir(parents=True, exist_ok=True)
        self.db = folder / "sessions.db"
        self.config = folder / "voice.toml"
        self.config.write_text(
            f'skills = ["{skill}"]\n'
            f'store = "sqlite:///{self.db}"\n\n'
            "[server]\nalexa_verify = false\n\n"
            f'[skill.customer_service]\nbooking_url = "{stub_url}"\n\n'
            f'[handoff]\nurl = "{stub_url}/handoff"\n'
        )
        self.log = folder / "error.log"
        self.port = free_port()
        kind = ["-k", "gthread", "--threads", str(threads)] if threads else []
        command = [str(GUNICORN), "-w", str(workers), *kind, "-b", f"{HOST}:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "--error-logfile", str(self.log), "voice.server:create_app()"],
            cwd=ROOT,
            env={**os.environ, "VOICE_CONFIG": str(self.config)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_serving(self.process, self.port, self.log, self.stop)

    @property
    def kind(self) -> str:
        return f"gthread-{self.threads}" if self.threads else "sync"

    def stop(self) -> None:
        stop_process(self.process)

    def wal_size(self) -> int:
        try:
            return os.path.getsize(f"{self.db}-wal")
        except OSError:
            return 0


@dataclass(frozen=True, slots=True)
class Heard:
    """One answer: HTTP status (0: none), the words, seconds from send to the whole answer."""

    status: int
    text: str
    seconds: float
    channel: str = "dialogflow"
    spoken: str = ""
    """The words as said (a booking number "A 1"), which the conversation log keeps; ``text`` is what a
    chat shows ("A1")."""

    @property
    def in_time(self) -> bool:
        return self.status == 200 and self.seconds < DEADLINES[self.channel]


@dataclass
class Caller:
    """One caller's requests to the webhook on ``port``; a fresh connection per request."""

    port: int
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    timeout: float = 60.0

    def get(self, path: str) -> tuple[int, float]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request("GET", path)
            status = connection.getresponse().status
        finally:
            connection.close()
        return status, time.perf_counter() - started

    def say(self, text: str, request_id: str | None = None) -> Heard:
        """A Dialogflow turn whose words the router matches (the agent fell back)."""
        body = {
            "responseId": request_id or uuid.uuid4().hex,
            "session": f"projects/bench/agent/sessions/{self.session}",
            "queryResult": {
                "queryText": text,
                "languageCode": "en",
                "intent": {"displayName": ""},
                "parameters": {},
            },
            "originalDetectIntentRequest": {"payload": {"userId": f"user-{self.session}"}},
        }
        status, answer, seconds = self._post("/dialogflow", body)
        shown = str(answer.get("fulfillmentText", ""))
        speech = answer.get("payload", {}).get("voice", {}).get("speech")
        return Heard(status, shown, seconds, "dialogflow", spoken_text(speech) if speech else shown)

    def intent(self, name: str, request_id: str | None = None) -> Heard:
        """An Alexa IntentRequest (Alexa resolved the intent itself)."""
        body = {
            "version": "1.0",
            "session": {
                "new": False,
                "sessionId": f"amzn1.echo-api.session.{self.session}",
                "application": {"applicationId": "amzn1.ask.skill.bench"},
                "user": {"userId": f"amzn1.ask.account.{self.session}"},
            },
            "request": {
                "type": "IntentRequest",
                "requestId": request_id or f"amzn1.echo-api.request.{uuid.uuid4().hex}",
                "locale": "en-US",
                "intent": {"name": name, "confirmationStatus": "NONE", "slots": {}},
            },
        }
        status, answer, seconds = self._post("/alexa", body)
        speech = answer.get("response", {}).get("outputSpeech", {}).get("ssml", "")
        return Heard(status, re.sub(r"<[^>]+>", "", str(speech)).strip(), seconds, "alexa")

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        data = json.dumps(body).encode()
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request("POST", path, data, {"Content-Type": "application/json"})
            response = connection.getresponse()
            status, raw = response.status, response.read()
        except OSError:
            return 0, {}, time.perf_counter() - started
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}, seconds


def warm_up(port: int, tries: int = 90) -> int:
    """Ask unmatched questions, two at once, until both workers answer them at once: a worker loads
    the skills' knowledge index on its first such question. The number of rounds it took."""
    for round_ in range(1, tries + 1):
        heard: list[Heard] = []

        def ask(into: list[Heard] = heard) -> None:
            into.append(Caller(port).say("flibber flabber"))

        pair = [threading.Thread(target=ask) for _ in "ab"]
        run_all(pair)
        if all(h.status == 200 and h.seconds < 1.0 and not h.text.startswith("One moment") for h in heard):
            return round_
        time.sleep(1.0)
    return tries


def latencies(heard: list[Heard]) -> dict[str, Any]:
    """p50/p99/max in milliseconds and the share answered (HTTP 200) before the channel's deadline."""
    if not heard:
        return {"n": 0}
    ordered = sorted(h.seconds for h in heard)

    def at(share: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    in_time = sum(h.in_time for h in heard)
    return {
        "n": len(heard),
        "p50_ms": at(0.5),
        "p99_ms": at(0.99),
        "max_ms": round(1000 * ordered[-1], 1),
        "in_time_pct": round(100 * in_time / len(heard), 1),
    }


def run_all(jobs: list[threading.Thread]) -> None:
    """Start the threads, then wait for all of them."""
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
