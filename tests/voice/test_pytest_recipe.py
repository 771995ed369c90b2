"""docs/skills.md's pytest recipe for a project's own skill, run as written on a skill ``voice init`` made,
and the public names of ``voice.testing`` it uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from voice import testing
from voice.cli import cli

ROOT = Path(__file__).resolve().parents[2]
INTRO = "put this in `tests/test_conversations.py`"


def recipe() -> str:
    """The first Python block after the sentence that introduces the recipe."""
    after = (ROOT / "docs" / "skills.md").read_text(encoding="utf-8").split(INTRO, 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]


def run_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    """``pytest tests`` in ``project``, with this checkout's ``voice`` on the path."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_recipe_passes_each_good_script_of_the_skill_and_fails_a_wrong_reply(tmp_path: Path) -> None:
    """docs/skills.md pointed a new developer at tests/skills/test_conversations.py, which runs only the
    shipped skills. One run (pytest starts slowly): the Dutch script passes, the English one is broken."""
    made = CliRunner().invoke(cli, ["init", "my_skill", "--into", str(tmp_path / "skills")])
    assert made.exit_code == 0, made.output
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_conversations.py").write_text(recipe(), encoding="utf-8")
    script = tmp_path / "skills" / "my_skill" / "tests" / "booking_en.yaml"
    script.write_text(script.read_text(encoding="utf-8").replace("is booked.", "is in the book."))
    result = run_pytest(tmp_path)
    assert result.returncode == 1 and "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    assert "FAILED tests/test_conversations.py::test_conversation[booking_en]" in result.stdout
    assert "expected 'Your appointment on Tuesday 24 November at 10:00 is in the book.'" in result.stdout


def test_the_public_names_of_voice_testing_are_sorted_and_exist() -> None:
    assert testing.__all__ == sorted(testing.__all__)
    assert all(hasattr(testing, name) for name in testing.__all__)
    assert {"check_script", "scripts_of"} <= set(testing.__all__)
