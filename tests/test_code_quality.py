"""The checks every change must pass besides the tests: ruff's lint and format rules, and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_FOLDERS = ("voice", "speech", "skills", "tests", "bench")
TYPED_PACKAGES = ("voice", "speech", "skills")


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", *PYTHON_FOLDERS],
        ["ruff", "format", "--check", *PYTHON_FOLDERS],
        ["mypy", *TYPED_PACKAGES],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_code_passes(command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"
