"""Database faults (issue 12): a damaged or emptied file refuses to start, a read-only one recovers by itself,
purges leak no connection, and the write-ahead log stays bounded."""

from __future__ import annotations

import itertools
import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice.cli import cli
from voice.dialog import Dialog
from voice.router import Router
from voice.store import Session, StoreError, open_store
from voice.store.sqlite_files import WAL_SIZE_LIMIT


def _session(session_id: str) -> Session:
    return Session.new(
        id=session_id, user_id="u1", skill="", locale="nl", channel="test", now=time.time(), ttl=600
    )


def _filled(path: Path, sessions: int = 200) -> None:
    with open_store(f"sqlite:///{path}") as store:
        for number in range(sessions):
            store.save(_session(f"s{number}").with_attributes({"padding": "x" * 500}))


def test_an_emptied_database_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _filled(path, 3)
    path.write_bytes(b"")
    with pytest.raises(
        StoreError, match=r"is empty \(0 bytes\), but it was in use .* restore it from a backup"
    ):
        open_store(f"sqlite:///{path}")


def test_a_deleted_database_refuses_to_start_until_its_lock_file_goes_too(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _filled(path, 3)
    path.unlink()
    with pytest.raises(StoreError, match="is missing"):
        open_store(f"sqlite:///{path}")
    Path(f"{path}.locks").unlink()
    open_store(f"sqlite:///{path}").close()  # a deliberate fresh start


def test_a_database_cut_in_half_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _filled(path)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)
    with pytest.raises(StoreError, match="is damaged"):
        open_store(f"sqlite:///{path}")


def test_voice_data_check_reports_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _filled(path)
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite:///{path}"\n')
    healthy = CliRunner().invoke(cli, ["data", "check", "--config", str(config)])
    assert healthy.exit_code == 0 and healthy.output.startswith("ok;")
    with path.open("r+b") as file:  # damage an index page, which the quick check at start may not see
        file.seek(path.stat().st_size - 4096)
        file.write(b"\xff" * 4096)
    damaged = CliRunner().invoke(cli, ["data", "check", "--config", str(config)])
    assert damaged.exit_code != 0 and ("problem" in damaged.output or "damaged" in damaged.output), (
        damaged.output
    )


@pytest.mark.parametrize("damage", ["index page", "cut in half"])
def test_voice_data_check_lists_the_problems_of_a_file_the_start_refuses(tmp_path: Path, damage: str) -> None:
    """The start's refusal says 'voice data check' lists the problems: it printed that same sentence."""
    path = tmp_path / "sessions.db"
    _filled(path)
    with path.open("r+b") as file:
        if damage == "cut in half":
            file.truncate(path.stat().st_size // 2)
        else:
            file.seek(path.stat().st_size - 4096)
            file.write(b"\xff" * 4096)
    with pytest.raises(StoreError, match="'voice data check' runs SQLite's full check on it"):
        open_store(f"sqlite:///{path}")
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite:///{path}"\n')
    result = CliRunner().invoke(cli, ["data", "check", "--config", str(config)])
    assert result.exit_code == 1 and "voice data check" not in result.output, result.output
    assert result.output.startswith("problem: ") and "SQLite could not check further" in result.output
    assert result.output.endswith("damaged; the store cannot be opened: restore it from a backup\n")
    if damage == "index page":
        assert "problem: *** in database main ***\nPage " in result.output
    config.write_text(f'{config.read_text()}locales = ["nl-NL"]\n')  # marked in a Dutch team's words
    dutch = CliRunner().invoke(cli, ["data", "check", "--config", str(config)])
    assert dutch.output.startswith("probleem: ") and dutch.output.endswith("zet een reservekopie terug\n")


def test_a_read_only_database_recovers_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _filled(path, 1)
    store = open_store(f"sqlite:///{path}")
    subprocess.run(["chattr", "+i", str(path)], check=True)  # read-only even for root
    try:
        reopened = open_store(f"sqlite:///{path}")
        assert reopened.load("s0") is not None, "reads still work"
        with pytest.raises(StoreError, match="readonly"):
            reopened.save(_session("new"))
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    reopened.save(_session("new"))  # the fault is gone: the same store writes again
    assert reopened.load("new") is not None
    reopened.close()
    store.close()


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_purges_leak_no_connection(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([]), store, retention_days=30)
        for _ in range(10):  # warm up: the checkpoint thread and the first connections
            dialog._next_housekeeping = 0.0
            dialog._housekeeping()
            dialog.close()
        before = _descriptors()
        for _ in range(1000):
            dialog._next_housekeeping = 0.0
            dialog._housekeeping()
            dialog.close()
        assert _descriptors() <= before + 2


def test_the_write_ahead_log_is_cut_back_after_checkpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 1024 * 1024
    monkeypatch.setattr("voice.store.sqlite_files.WAL_SIZE_LIMIT", limit)  # far below the 8 MB written
    path = tmp_path / "sessions.db"
    with open_store(f"sqlite:///{path}") as store:
        for number in range(3000):  # about 8 MB of writes
            store.save(_session(f"s{number}").with_attributes({"padding": "x" * 2000}))
        wal = Path(f"{path}-wal")
        # Once the checkpoint thread has copied the log back, the next write starts the log anew and
        # trims the file: write now and then until it is cut back (a loaded machine takes longer).
        deadline = time.monotonic() + 20
        for number in itertools.count():
            store.save(_session(f"last{number}"))
            size = wal.stat().st_size
            if size <= limit or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        assert size <= limit < WAL_SIZE_LIMIT, f"the log is still {size} bytes after 20 s"
