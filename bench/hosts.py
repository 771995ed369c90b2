"""Benchmark: two app hosts on one PostgreSQL, every turn to a random host (issue 13, several hosts).

Two ``gunicorn -w 2 -k gthread --threads 4 'voice.server:create_app()'`` masters ("hosts", each on
its own port on 127.0.0.1) share one PostgreSQL database (a private server, PostgreSQL's durable
defaults). A loopback stub plays the booking API and counts ``POST /appointments``
(``bench/loadkit.py``). Then:

a. ``--conversations`` whole booking conversations (five turns: date and time, name, yes, topic,
   yes -> "Done!"), ``--callers`` at a time, each turn sent to a random host;
b. ``--pairs`` duplicate pairs: a conversation up to "Shall I book it?", then the final "yes" with
   one request id sent to both hosts at the same moment;
c. ``--kill-conversations`` conversations while one host's master gets SIGKILL (once
   ``--kill-at`` of their turns were answered): a turn that gets no answer is sent again, same
   request id, to the other host, as a load balancer's retry would be.

Every conversation's log must be complete and in order (ten rows, caller and assistant in turn,
the replies heard are the ones logged), every booking made once. One JSON line on stdout.

    .venv/bin/python bench/hosts.py [--conversations 200] [--pairs 200] [--callers 16]
        [--kill-conversations 100] [--kill-at 0.3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from loadkit import GUNICORN, HOST, Caller, Heard, Stub, free_port, stop_process, wait_until_serving  # noqa: E402
from pairs import DIALOGFLOW_SESSION, NAMES, at_once, booking_day  # noqa: E402

from voice.store import Speaker, Store  # noqa: E402


class Host:
    """One app host: ``gunicorn -w 2 -k gthread --threads 4`` on its own port, the shared store."""

    def __init__(self, folder: Path, store_url: str, stub_url: str, *, workers: int = 2, threads: int = 4):
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "voice.toml"
        config.write_text(
            'skills = ["customer_service"]\n'
            f'store = "{store_url}"\n\n'
            "[server]\nalexa_verify = false\n\n"
            f'[skill.customer_service]\nbooking_url = "{stub_url}"\n'
        )
        self.log = folder / "error.log"
        self.port = free_port()
        command = [str(GUNICORN), "-w", str(workers), "-k", "gthread", "--threads", str(threads)]
        self.process = subprocess.Popen(
            [
                *command,
                "-b",
                f"{HOST}:{self.port}",
                "--error-logfile",
                str(self.log),
                "voice.server:create_app()",
            ],
            cwd=ROOT,
            env={**os.environ, "VOICE_CONFIG": str(config)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: its workers can be found and stopped
        )
        wait_until_serving(self.process, self.port, self.log, self.stop)

    def kill_master(self) -> None:
        """SIGKILL the master only (a crashed host): its workers notice and exit by themselves."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the master and whatever is left of its process group (workers of a killed master)."""
        stop_process(self.process)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def script(day: str, name: str) -> tuple[tuple[str, str], ...]:
    """A whole booking conversation: what the caller says, and words the answer must hold."""
    return (
        (f"book an appointment on {day} at 2 pm", "what is your name"),
        (f"my name is {name}", "Did I get your name right"),
        ("yes", "What is the appointment about"),
        ("advice", "Shall I book it?"),
        ("yes", "Done!"),
    )


class Conversation:
    """One caller's conversation; each turn goes to a random live host, retried on another host
    (same request id) when a host gives no answer."""

    def __init__(self, ports: list[int], day: str, index: int) -> None:
        self.ports = ports
        self.caller = Caller(ports[0])
        self.name = NAMES[index % len(NAMES)]
        self.turns = script(day, self.name)
        self.heard: list[Heard] = []
        self.retries = 0
        self.hosts: Counter[int] = Counter()

    @property
    def session_id(self) -> str:
        return DIALOGFLOW_SESSION.format(self.caller.session)

    def say(self, text: str, request_id: str) -> Heard:
        """One turn to a random host; a host that does not answer is left for another."""
        tried: list[int] = []
        while True:
            live = [port for port in self.ports if port not in tried] or self.ports
            self.caller.port = random.choice(live)
            heard = self.caller.say(text, request_id)
            if heard.status != 0 or len(tried) >= 4:
                self.hosts[self.caller.port] += 1
                return heard
            tried.append(self.caller.port)
            self.retries += 1

    def run(self, upto: int | None = None) -> bool:
        """Say the turns (the first ``upto``); True when every answer was the expected one."""
        for text, expected in self.turns[:upto]:
            heard = self.say(text, os.urandom(8).hex())
            self.heard.append(heard)
            if heard.status != 200 or expected not in heard.text:
                return False
        return True


def log_problems(store: Store, conversation: Conversation) -> list[str]:
    """What is wrong with the conversation's log: rows missing, out of order, or not the replies heard."""
    rows = store.read_log(session_id=conversation.session_id)
    speakers = [row.speaker for row in rows]
    expected = [Speaker.USER, Speaker.ASSISTANT] * len(conversation.heard)
    problems = []
    if speakers != expected:
        problems.append(f"{conversation.session_id}: speakers {[s.value for s in speakers]}")
    # The log keeps names redacted (voice.redaction): compare with the name replaced the same way.
    name = conversation.name

    def redacted(text: str) -> str:
        return text.replace(name.title(), "[name]").replace(name, "[name]")

    said = [row.text for row in rows if row.speaker == Speaker.ASSISTANT]
    if said != [redacted(heard.spoken) for heard in conversation.heard]:
        problems.append(f"{conversation.session_id}: logged replies differ from those heard")
    asked = [row.text for row in rows if row.speaker == Speaker.USER]
    if asked != [redacted(text) for text, _ in conversation.turns[: len(conversation.heard)]]:
        problems.append(f"{conversation.session_id}: logged turns differ from those said")
    if [row.time for row in rows] != sorted(row.time for row in rows):
        problems.append(f"{conversation.session_id}: log out of time order")
    return problems


def conversations(ports: list[int], store: Store, day: str, n: int, callers: int) -> dict[str, Any]:
    """(a) ``n`` whole conversations, ``callers`` at a time, every turn to a random host."""
    done = [Conversation(ports, day, index) for index in range(n)]
    with ThreadPoolExecutor(callers) as pool:
        completed = sum(pool.map(lambda conversation: conversation.run(), done))
    problems = [problem for conversation in done for problem in log_problems(store, conversation)]
    hosts = Counter[int]()
    for conversation in done:
        hosts.update(conversation.hosts)
    return {
        "conversations": n,
        "completed": completed,
        "turns": sum(len(c.heard) for c in done),
        "turns_per_host": sorted(hosts.values()),
        "conversations_on_both_hosts": sum(len(c.hosts) == 2 for c in done),
        "log_problems": len(problems),
        "first_problems": problems[:3],
    }


def duplicate_pairs(ports: list[int], store: Store, day: str, n: int, callers: int) -> dict[str, Any]:
    """(b) the final "yes" of ``n`` conversations sent to both hosts at once, with one request id."""

    def pair(index: int) -> dict[str, int]:
        conversation = Conversation(ports, day, index)
        if not conversation.run(upto=4):
            return {"setup_failed": 1}
        request_id = os.urandom(8).hex()
        twins = [Caller(port, session=conversation.caller.session) for port in ports[:2]]
        first, second = at_once(*(lambda twin=twin: twin.say("yes", request_id) for twin in twins))
        alike = first.status == second.status == 200 and "Done!" in first.text and first.text == second.text
        conversation.heard.append(first)
        logged = not log_problems(store, conversation)
        return {"pairs": 1, "answered_alike": int(alike), "logged_once": int(logged)}

    totals: Counter[str] = Counter()
    with ThreadPoolExecutor(callers) as pool:
        for counts in pool.map(pair, range(n)):
            totals.update(counts)
    return {
        "pairs": totals["pairs"],
        "setup_failed": totals["setup_failed"],
        "answered_alike": totals["answered_alike"],
        "logged_once": totals["logged_once"],
    }


def kill_one_host(
    hosts: list[Host], store: Store, day: str, n: int, callers: int, kill_at: float
) -> dict[str, Any]:
    """(c) ``n`` conversations; the first host's master is killed once ``kill_at`` of their turns
    were answered."""
    ports = [host.port for host in hosts]
    done = [Conversation(ports, day, index) for index in range(n)]
    total = sum(len(c.turns) for c in done)

    def kill_mid_load() -> None:
        while sum(len(c.heard) for c in done) < kill_at * total:
            time.sleep(0.005)
        hosts[0].kill_master()

    killer = threading.Thread(target=kill_mid_load, daemon=True)
    started = time.monotonic()
    killer.start()
    with ThreadPoolExecutor(callers) as pool:
        completed = sum(pool.map(lambda conversation: conversation.run(), done))
    killer.join()
    answered = [c for c in done if all(h.status == 200 for h in c.heard)]
    problems = [problem for c in answered for problem in log_problems(store, c)]
    after = [Caller(ports[1]).say("hello").status for _ in range(5)]
    return {
        "conversations": n,
        "completed": completed,
        "seconds": round(time.monotonic() - started, 1),
        "retried_on_the_other_host": sum(c.retries for c in done),
        "answered_turns": sum(len(c.heard) for c in answered),
        "answered_turns_missing_from_log": len(problems),
        "first_problems": problems[:3],
        "other_host_answers_after": after.count(200),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--kill-conversations", type=int, default=100)
    parser.add_argument("--kill-at", type=float, default=0.3, help="share of turns answered before the kill")
    args = parser.parse_args()
    print(json.dumps(run(args), separators=(",", ":")))


def run(args: argparse.Namespace) -> dict[str, Any]:
    from postgres_server import PostgresServer

    from voice.store import open_store

    server, stub, day = PostgresServer.start(durable=True), Stub(), booking_day()
    hosts: list[Host] = []
    try:
        with tempfile.TemporaryDirectory(prefix="voice-hosts-") as folder:
            url = server.new_database("hosts")
            hosts = [Host(Path(folder) / f"host{k}", url, stub.url) for k in (1, 2)]
            ports = [host.port for host in hosts]
            with open_store(url) as store:
                found: dict[str, Any] = {"bench": "hosts", "hosts": 2, "workers": "2 gthread x 4 threads"}
                started = time.monotonic()
                found["whole"] = conversations(ports, store, day, args.conversations, args.callers)
                found["whole"]["seconds"] = round(time.monotonic() - started, 1)
                found["pairs"] = duplicate_pairs(ports, store, day, args.pairs, args.callers)
                bookings_before_kill = len(stub.bookings)
                found["kill"] = kill_one_host(
                    hosts, store, day, args.kill_conversations, args.callers, args.kill_at
                )
            expected = found["whole"]["completed"] + found["pairs"]["pairs"]
            found["bookings"] = bookings_before_kill
            found["double_bookings"] = max(0, bookings_before_kill - expected)
            found["missed_bookings"] = max(0, expected - bookings_before_kill)
            found["kill"]["bookings"] = len(stub.bookings) - bookings_before_kill
            found["kill"]["double_bookings"] = max(0, found["kill"]["bookings"] - found["kill"]["completed"])
            return found
    finally:
        for host in hosts:
            host.stop()
        stub.close()
        server.stop()


if __name__ == "__main__":
    main()
