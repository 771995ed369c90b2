"""Every shipped skill's conversation scripts (skills/*/tests/*.yaml), run through the real dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voice import Assistant
from voice.config import SKILLS_DIR
from voice.skill_loading import discover
from voice.testing import assistant_for_tests, load_script, run_script, scripts_of

SCRIPTS = [(name, path) for name in discover(SKILLS_DIR) for path in scripts_of(SKILLS_DIR / name)]


@pytest.fixture(scope="module")
def assistants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Assistant]]:
    """One assistant per shipped skill, built as ``voice test`` builds it; scripts are separate sessions."""
    workdir = tmp_path_factory.mktemp("conversations")
    built = {name: assistant_for_tests(name, workdir) for name in discover(SKILLS_DIR)}
    yield built
    for assistant in built.values():
        assistant.close()


def test_every_shipped_skill_has_conversation_tests() -> None:
    assert {name for name, _ in SCRIPTS} == set(discover(SKILLS_DIR))


@pytest.mark.parametrize(("skill", "path"), SCRIPTS, ids=[f"{n}/{p.stem}" for n, p in SCRIPTS])
def test_conversation(skill: str, path: Path, assistants: dict[str, Assistant]) -> None:
    failures = run_script(load_script(path), assistants[skill])
    assert failures == [], "\n".join(failures)
