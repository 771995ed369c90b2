"""Benchmark: POST /alexa under loopback load, ours against a plain ask-sdk-core skill, same gunicorn.

Four servers, each ``gunicorn -w 2`` on 127.0.0.1 (``--threads`` switches all to gthread workers):

- ours: ``voice.server:create_app()``, the dialog over an SQLite session store (a temp config),
  verification off (``VOICE_ALEXA_VERIFY=false``);
- reference: ``bench/reference_alexa_app.py``, ask-sdk-core handlers giving the same answers;
- ceiling: ``bench/empty_alexa_app.py``, a Flask app that answers with a fixed response and does
  nothing else; no skill on this gunicorn and client can be faster, so ``ceiling_ratio`` is the
  highest ``rps_ratio`` reachable in this run;
- ours, verified: ``bench/signed_app.py``, verification on against the test CA, every request
  signed (signatures made before the clock starts).

All four run at once and are measured in turn, ``--rounds`` times: a busy spell on a shared
machine then hits each of them alike. Each turn sends the same mix (launch, opening hours,
opening hours on a day, stop) from ``--clients`` threads with keep-alive ``http.client``
connections, after a warm-up; requests/s is the median round's, p50/p99 are over all rounds.
The answers are compared first: both skills must say the same.

HTTP figures include gunicorn, the kernel and the client, which share the two cores with the
app. The application's own cost is measured too: each app is called in-process as a WSGI
callable on the same requests (best of three rounds), which gives ``app_ms`` per request.

The last line is one JSON object.

    .venv/bin/python bench/webhook.py [--requests 2000] [--rounds 3] [--clients 8] [--workers 2] [--threads 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests" / "voice" / "channels"))

sys.path.insert(0, str(BENCH))

import reference_alexa_app  # noqa: E402
from alexa_test_ca import APPLICATION_ID, CERT_URL, build_test_pki, pem_chain  # noqa: E402
from loadkit import free_port  # noqa: E402

from voice.server import create_app as create_voice_app  # noqa: E402

GUNICORN = Path(sys.executable).parent / "gunicorn"
APP_MS_GOAL = 0.25
"""Our in-process cost per request must stay at or below this (issue 11), committing every turn."""
Body = tuple[bytes, dict[str, str]]
"""A request body and its extra headers."""


def envelope(kind: str, session: str, *, new: bool) -> dict[str, Any]:
    """An Alexa request as an Echo sends it: launch, opening hours (optionally on monday), stop."""
    request: dict[str, Any] = {"type": "IntentRequest", "requestId": f"req.{session}.{kind}"}
    if kind == "launch":
        request["type"] = "LaunchRequest"
    elif kind == "stop":
        request["intent"] = {"name": "AMAZON.StopIntent", "confirmationStatus": "NONE"}
    else:
        day = {"name": "day", "confirmationStatus": "NONE"} | (
            {"value": "monday"} if kind == "monday" else {}
        )
        request["intent"] = {"name": "OpeningHours", "confirmationStatus": "NONE", "slots": {"day": day}}
    request |= {"timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "locale": "en-US"}
    application = {"applicationId": APPLICATION_ID}
    user = {"userId": f"amzn1.ask.account.{session}"}
    return {
        "version": "1.0",
        "session": {
            "new": new,
            "sessionId": session,
            "application": application,
            "user": user,
            "attributes": {},
        },
        "context": {
            "System": {"application": application, "user": user, "apiEndpoint": "https://api.amazonalexa.com"}
        },
        "request": request,
    }


def conversation(session: str, sign: Callable[[bytes], dict[str, str]] | None) -> list[Body]:
    """One caller's four requests, ready to send."""
    kinds = ("launch", "hours", "monday", "stop")
    bodies = [json.dumps(envelope(kind, session, new=kind == "launch")).encode() for kind in kinds]
    return [(body, sign(body) if sign else {}) for body in bodies]


def start(
    app: str, port: int, workers: int, env: dict[str, str], threads: int = 1
) -> subprocess.Popen[bytes]:
    """gunicorn with ``workers`` workers (gthread when ``threads`` > 1); returns once /healthz answers."""
    command = [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(BENCH)]
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning", app], env={**os.environ, **env}, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not start {app}")


def post(connection: http.client.HTTPConnection, body: Body) -> tuple[float, dict[str, Any]]:
    """Seconds for one POST /alexa and its JSON answer; a non-200 is a failed run."""
    started = time.perf_counter()
    connection.request("POST", "/alexa", body[0], {"Content-Type": "application/json", **body[1]})
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}")
    return elapsed, json.loads(data)


def load(port: int, work: list[list[Body]], clients: int) -> tuple[float, list[float]]:
    """Send every conversation in ``work`` from ``clients`` threads; wall seconds and latencies."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(work))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                requests = queue.pop()
            times = [post(connection, body)[0] for body in requests]
            with lock:
                latencies.extend(times)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def measure(
    port: int, requests: int, clients: int, sign: Callable[[bytes], dict[str, str]] | None, tag: str
) -> tuple[float, list[float]]:
    """Warm up, then time ``requests`` requests (conversations of four); requests/s and latencies."""
    warm = [conversation(f"warm.{tag}.{n}", sign) for n in range(clients * 4)]
    load(port, warm, clients)
    work = [conversation(f"s.{tag}.{n}", sign) for n in range(requests // 4)]
    seconds, latencies = load(port, work, clients)
    if len(latencies) != len(work) * 4:
        raise RuntimeError(f"{tag}: {len(work) * 4 - len(latencies)} requests failed")
    return len(latencies) / seconds, latencies


def summarise(rounds: list[float], latencies: list[float]) -> dict[str, float]:
    """The median round's requests/s, and p50/p99 over every round's requests."""
    ordered = sorted(latencies)
    return {
        "rps": round(statistics.median(rounds), 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


def app_ms(app: Any, requests: int, tag: str) -> float:
    """CPU milliseconds one request costs ``app`` itself (all its threads): a WSGI call without HTTP,
    best of three rounds. CPU time rather than wall time, so other work on the machine hardly moves it."""

    def call(body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/alexa",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
        }
        statuses: list[str] = []
        b"".join(app(environ, lambda status, headers: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{tag}: in-process call answered {statuses[0]}")

    assistant = getattr(app, "extensions", {}).get("voice.assistant")
    if assistant is not None:  # the knowledge bases load in the background at start: not the turns' cost
        assistant.wait_until_ready(120)
    rounds = []
    for round_ in range(4):  # the first round warms up
        work = [conversation(f"app.{tag}.{round_}.{n}", None) for n in range(requests // 4)]
        started = time.process_time()  # CPU time of every thread: what the app costs, whatever else runs
        for bodies in work:
            for body, _ in bodies:
                call(body)
        rounds.append((time.process_time() - started) / (len(work) * 4))
    return round(min(rounds[1:]) * 1000, 3)


def same_answers(ours: int, reference: int) -> None:
    """Both skills must say the same thing to the same requests, or the comparison means nothing."""
    for body in conversation("check", None):
        spoken = []
        for port in (ours, reference):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            spoken.append(post(connection, body)[1]["response"]["outputSpeech"]["ssml"])
            connection.close()
        if spoken[0] != spoken[1]:
            raise RuntimeError(f"the skills answer differently: {spoken[0]!r} vs {spoken[1]!r}")


@dataclass(frozen=True)
class Target:
    """One server of the comparison: its gunicorn app, environment and request signer."""

    name: str
    app: str
    env: dict[str, str] = field(default_factory=dict)
    sign: Callable[[bytes], dict[str, str]] | None = None


def compare(targets: list[Target], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """All servers up at once, measured in turn for ``args.rounds`` rounds, so that a busy spell on
    the machine hits every server alike instead of the one that happened to run then."""
    ports = {target.name: free_port() for target in targets}
    servers = [start(t.app, ports[t.name], args.workers, t.env, args.threads) for t in targets]
    rounds: dict[str, list[float]] = {target.name: [] for target in targets}
    latencies: dict[str, list[float]] = {target.name: [] for target in targets}
    try:
        same_answers(ports["ours"], ports["reference"])
        for round_ in range(args.rounds):
            for target in targets:
                tag = f"{target.name}.{round_}"
                rps, times = measure(ports[target.name], args.requests, args.clients, target.sign, tag)
                rounds[target.name].append(rps)
                latencies[target.name].extend(times)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    return {name: summarise(rounds[name], latencies[name]) for name in rounds}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000, help="Timed requests per server and round.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds; each measures every server once.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent keep-alive connections.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server.")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="Threads per worker; above 1 every server runs gthread workers.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "voice.toml"
        config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{Path(folder) / "s.db"}"\n')
        pki = build_test_pki()
        (Path(folder) / "root.pem").write_bytes(pem_chain(pki.root))
        (Path(folder) / "chain.pem").write_bytes(pki.valid.pem)
        ours_env = {"VOICE_CONFIG": str(config), "VOICE_ALEXA_VERIFY": "false"}
        signed_env = {
            "VOICE_CONFIG": str(config),
            "BENCH_ALEXA_ROOT_PEM": str(Path(folder) / "root.pem"),
            "BENCH_ALEXA_CHAIN_PEM": str(Path(folder) / "chain.pem"),
        }
        results = compare(
            [
                Target("ours", "voice.server:create_app()", ours_env),
                Target("reference", "reference_alexa_app:create_app()"),
                Target("ceiling", "empty_alexa_app:create_app()"),
                Target(
                    "ours_verified",
                    "signed_app:create_app()",
                    signed_env,
                    lambda body: pki.valid.headers(body, CERT_URL),
                ),
            ],
            args,
        )
        in_process = {
            "ours": app_ms(
                create_voice_app({"VOICE_CONFIG": str(config), "ALEXA_VERIFY": False}), args.requests, "ours"
            ),
            "reference": app_ms(reference_alexa_app.create_app(), args.requests, "reference"),
        }
    report(results, in_process, args)


def report(
    results: dict[str, dict[str, float]], in_process: dict[str, float], args: argparse.Namespace
) -> None:
    """A table for people, then one JSON line for machines."""
    workers = f"-w {args.workers}" + (f" -k gthread --threads {args.threads}" if args.threads > 1 else "")
    print(
        f"POST /alexa, gunicorn {workers}, {args.clients} clients, "
        f"{args.rounds} rounds of {args.requests} requests per server"
    )
    print(f"{'server':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'app ms':>10}")
    for name, found in results.items():
        cost = f"{in_process[name]:>10.3f}" if name in in_process else ""
        print(f"{name:<16}{found['rps']:>10.1f}{found['p50_ms']:>10.2f}{found['p99_ms']:>10.2f}{cost}")
    ours, reference = results["ours"], results["reference"]
    summary = {
        "ours_rps": ours["rps"],
        "ours_p50_ms": ours["p50_ms"],
        "ours_p99_ms": ours["p99_ms"],
        "reference_rps": reference["rps"],
        "reference_p50_ms": reference["p50_ms"],
        "reference_p99_ms": reference["p99_ms"],
        "rps_ratio": round(ours["rps"] / reference["rps"], 2),
        "ceiling_rps": results["ceiling"]["rps"],
        "ceiling_ratio": round(results["ceiling"]["rps"] / reference["rps"], 2),
        "ours_app_ms": in_process["ours"],
        "reference_app_ms": in_process["reference"],
        "ours_verified_rps": results["ours_verified"]["rps"],
        "ours_verified_p50_ms": results["ours_verified"]["p50_ms"],
        "ours_verified_p99_ms": results["ours_verified"]["p99_ms"],
        "threads": args.threads,
        "rps_goal_met": ours["rps"] >= reference["rps"] and ours["p99_ms"] <= reference["p99_ms"],
        "app_goal_met": in_process["ours"] <= APP_MS_GOAL,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
