"""A conversation script tells a handoff after the team's ``[handoff] hours`` (recorded for a call back,
nobody put through: ``handoff: after_hours``) from one a colleague takes now (``handoff: <reason>``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.config import Config
from voice.testing import assistant_for_tests, load_script, run_script

TEAM = {day: "09:00-17:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
SUNDAY, MONDAY = "2026-11-29T11:00:00+01:00", "2026-11-30T10:00:00+01:00"
TURN = "'ik wil een medewerker spreken'"


def _failures(tmp_path: Path, now: str, handoff: str) -> list[str]:
    script = tmp_path / "person.yaml"
    script.write_text(
        f"locale: nl\nnow: {now}\nturns:\n  - user: ik wil een medewerker spreken\n    handoff: {handoff}\n",
        encoding="utf-8",
    )
    assistant = assistant_for_tests("customer_service", tmp_path, Config(handoff={"hours": TEAM}))
    try:
        return run_script(load_script(script), assistant)
    finally:
        assistant.close()


@pytest.mark.parametrize(("now", "handoff"), [(SUNDAY, "after_hours"), (MONDAY, "asked")])
def test_a_script_expects_a_handoff_after_hours_or_a_live_one(tmp_path: Path, now: str, handoff: str) -> None:
    assert _failures(tmp_path, now, handoff) == []


def test_a_handoff_after_hours_is_no_live_handoff(tmp_path: Path) -> None:
    assert _failures(tmp_path, SUNDAY, "asked") == [
        f"person.yaml turn 1 ({TURN}): handed over after the team's hours (nobody put through), expected a "
        "colleague to take over ('asked'); expect this with handoff: after_hours"
    ]


def test_a_live_handoff_is_no_handoff_after_hours(tmp_path: Path) -> None:
    assert _failures(tmp_path, MONDAY, "after_hours") == [
        f"person.yaml turn 1 ({TURN}): handoff record 'asked', expected one after the team's hours"
    ]
