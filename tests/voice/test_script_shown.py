"""A conversation script checks what a screen shows (``shown``) apart from what is said (``reply``): a
spelled-out order number is said "5 6 7 8" and shown "5678", and only ``reply`` could be checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice import SkillError
from voice.testing import assistant_for_tests, load_script, run_script

_ORDER = "  - user: waar is bestelling 5678\n"


def _failures(tmp_path: Path, turn: str) -> list[str]:
    script = tmp_path / "shown.yaml"
    script.write_text(f"locale: nl\nturns:\n{_ORDER}{turn}", encoding="utf-8")
    assistant = assistant_for_tests("customer_service", tmp_path)
    try:
        return run_script(load_script(script), assistant)
    finally:
        assistant.close()


def test_a_script_checks_the_written_form_apart_from_the_spoken_one(tmp_path: Path) -> None:
    turn = (
        "    reply: /^Bestelling 5 6 7 8 wordt klaargemaakt/\n"
        "    shown: /^Bestelling 5678 wordt klaargemaakt/\n"
    )
    assert _failures(tmp_path, turn) == []


def test_a_turn_that_shows_something_else_says_what_was_shown_and_what_was_expected(tmp_path: Path) -> None:
    (failure,) = _failures(tmp_path, "    shown: Bestelling 5 6 7 8 wordt klaargemaakt.\n")
    assert failure.startswith("shown.yaml turn 1 ('waar is bestelling 5678'): shown 'Bestelling 5678 wordt ")
    assert failure.endswith(", expected 'Bestelling 5 6 7 8 wordt klaargemaakt.'")


def test_a_shown_pattern_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "shown.yaml"
    script.write_text(f"locale: nl\nturns:\n{_ORDER}    shown: /B(42/\n", encoding="utf-8")
    with pytest.raises(SkillError, match=r"shown.yaml line 4: shown: /B\(42/ is not a regular expression"):
        load_script(script)
