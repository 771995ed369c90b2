"""Benchmark: POST /alexa under loopback load, ours against a plain ask-sdk-core skill, same gunicorn.

Three servers, one after the other, each ``gunicorn -w 2`` on 127.0.0.1:

- ours: ``voice.server:create_app()``, the dialog over an SQLite session store (a temp config),
  verification off (``VOICE_ALEXA_VERIFY=false``);
- reference: ``bench/reference_alexa_app.py``, ask-sdk-core handlers giving the same answers;
- ours, verified: ``bench/signed_app.py``, verification on against the test CA, every request
  signed (signatures made before the clock starts).

Each gets the same mix (launch, opening hours, opening hours on a day, stop) from ``--clients``
threads with keep-alive ``http.client`` connections, after a warm-up. The answers are compared
first: both skills must say the same. The last line is one JSON object.

    .venv/bin/python bench/webhook.py [--requests 2000] [--clients 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests" / "voice" / "channels"))

from alexa_test_ca import APPLICATION_ID, CERT_URL, build_test_pki, pem_chain  # noqa: E402

GUNICORN = Path(sys.executable).parent / "gunicorn"
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


def start(app: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn with ``workers`` sync workers; returns once /healthz answers."""
    command = [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(BENCH)]
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
) -> dict[str, float]:
    """Warm up, then time ``requests`` requests (conversations of four) against the server on ``port``."""
    warm = [conversation(f"warm.{tag}.{n}", sign) for n in range(clients * 4)]
    load(port, warm, clients)
    work = [conversation(f"s.{tag}.{n}", sign) for n in range(requests // 4)]
    seconds, latencies = load(port, work, clients)
    if len(latencies) != len(work) * 4:
        raise RuntimeError(f"{tag}: {len(work) * 4 - len(latencies)} requests failed")
    ordered = sorted(latencies)
    return {
        "rps": round(len(ordered) / seconds, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(
    name: str, app: str, env: dict[str, str], args: argparse.Namespace, sign: Any = None
) -> dict[str, float]:
    port = free_port()
    server = start(app, port, args.workers, env)
    try:
        return measure(port, args.requests, args.clients, sign, name)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000, help="Timed requests per server.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent keep-alive connections.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server.")
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
        check_ours, check_reference = free_port(), free_port()
        servers = [
            start("voice.server:create_app()", check_ours, 1, ours_env),
            start("reference_alexa_app:create_app()", check_reference, 1, {}),
        ]
        try:
            same_answers(check_ours, check_reference)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
        results = {
            "ours": run("ours", "voice.server:create_app()", ours_env, args),
            "reference": run("reference", "reference_alexa_app:create_app()", {}, args),
            "ours_verified": run(
                "verified",
                "signed_app:create_app()",
                signed_env,
                args,
                lambda body: pki.valid.headers(body, CERT_URL),
            ),
        }
    report(results, args)


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    """A table for people, then one JSON line for machines."""
    print(f"POST /alexa, gunicorn -w {args.workers}, {args.clients} clients, {args.requests} requests each")
    print(f"{'server':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, found in results.items():
        print(f"{name:<16}{found['rps']:>10.1f}{found['p50_ms']:>10.2f}{found['p99_ms']:>10.2f}")
    ours, reference = results["ours"], results["reference"]
    summary = {
        "ours_rps": ours["rps"],
        "ours_p50_ms": ours["p50_ms"],
        "ours_p99_ms": ours["p99_ms"],
        "reference_rps": reference["rps"],
        "reference_p50_ms": reference["p50_ms"],
        "reference_p99_ms": reference["p99_ms"],
        "rps_ratio": round(ours["rps"] / reference["rps"], 2),
        "ours_verified_rps": results["ours_verified"]["rps"],
        "ours_verified_p50_ms": results["ours_verified"]["p50_ms"],
        "ours_verified_p99_ms": results["ours_verified"]["p99_ms"],
        "goal_met": ours["rps"] >= 2 * reference["rps"] and ours["p99_ms"] <= reference["p99_ms"],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
