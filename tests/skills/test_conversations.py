"""Every shipped skill's conversation scripts (skills/*/tests/*.yaml), run through the real dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice import Router, load_skill
from voice.config import SKILLS_DIR
from voice.skill import discover
from voice.testing import load_script, run_script, scripts_of

SCRIPTS = [(name, path) for name in discover(SKILLS_DIR) for path in scripts_of(SKILLS_DIR / name)]


@pytest.fixture(scope="module")
def routers() -> dict[str, Router]:
    return {name: Router([load_skill(name)]) for name in discover(SKILLS_DIR)}


def test_every_shipped_skill_has_conversation_tests() -> None:
    assert {name for name, _ in SCRIPTS} == set(discover(SKILLS_DIR))


@pytest.mark.parametrize(("skill", "path"), SCRIPTS, ids=[f"{n}/{p.stem}" for n, p in SCRIPTS])
def test_conversation(skill: str, path: Path, routers: dict[str, Router], tmp_path: Path) -> None:
    failures = run_script(load_script(path), routers[skill], tmp_path)
    assert failures == [], "\n".join(failures)
