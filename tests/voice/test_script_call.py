"""A conversation script can be a phone call (``call: true``, ``Turn.call``) and check what a reply says
after silence (``reprompt``), so the shipped skill's phone behaviour is tested as callers meet it."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice import SkillError
from voice.testing import assistant_for_tests, load_script, run_script


def test_a_script_plays_a_call_and_checks_the_reprompt(tmp_path: Path) -> None:
    script = tmp_path / "call.yaml"
    script.write_text(
        "locale: nl\ncall: true\nturns:\n"
        "  - user: waar is mijn bestelling\n    reprompt: Wat is uw bestelnummer?\n"
        "  - user: tot ziens\n    reply: Tot ziens, en bedankt voor uw telefoontje.\n"
        "    reprompt: Waarmee?\n",
        encoding="utf-8",
    )
    assistant = assistant_for_tests("customer_service", tmp_path)
    try:
        failures = run_script(load_script(script), assistant)
    finally:
        assistant.close()
    assert failures == ["call.yaml turn 2 ('tot ziens'): reprompt None, expected 'Waarmee?'"]


def test_a_script_whose_call_is_no_boolean_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "call.yaml"
    script.write_text("locale: nl\ncall: ja\nturns:\n  - user: hallo\n", encoding="utf-8")
    with pytest.raises(SkillError, match=r"call.yaml line 2: call: it must be true or false, not 'ja'"):
        load_script(script)
