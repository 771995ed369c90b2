"""The tests' private PostgreSQL servers do not outlive their run: a stopped run stops them, and the next
run removes what a killed one left, without touching a live run's server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import OWNER, PREFIX, owner_alive, reap_stale_servers

TESTS = Path(__file__).resolve().parent
OWNER_SCRIPT = """
import time
from postgres_server import PostgresServer
print(PostgresServer.start(max_connections=10).folder, flush=True)
time.sleep(120)
"""


@pytest.fixture
def owner() -> Iterator[tuple[subprocess.Popen[str], Path, int]]:
    """A process that started a server and waits: the process, the server's folder, the postmaster's pid."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])}
    process = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    folder = Path(process.stdout.readline().strip())
    try:
        assert folder.name.startswith(PREFIX), "the owner process could not start its server"
        postmaster = int((folder / "data" / "postmaster.pid").read_text().split()[0])
        assert owner_alive(postmaster)
        yield process, folder, postmaster
    finally:
        process.kill()
        process.wait(30)
        process.stdout.close()
        reap_stale_servers()


def test_a_run_stopped_with_sigterm_stops_its_server(owner: tuple[subprocess.Popen[str], Path, int]) -> None:
    process, folder, postmaster = owner
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == -signal.SIGTERM, "the run still ends as the signal ends it"
    assert not owner_alive(postmaster)
    assert not folder.exists()


def test_the_next_run_removes_a_killed_runs_server_but_not_a_live_runs(
    owner: tuple[subprocess.Popen[str], Path, int],
) -> None:
    process, folder, postmaster = owner
    process.kill()  # SIGKILL: no handler runs, the server is left behind
    process.wait(30)
    assert owner_alive(postmaster) and folder.exists()
    live = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        (live / OWNER).write_text(f"{os.getpid()}\n")
        assert folder in reap_stale_servers()
        assert not owner_alive(postmaster)
        assert not folder.exists()
        assert (live / OWNER).exists(), "a live run's folder is left alone"
    finally:
        (live / OWNER).unlink()
        live.rmdir()
