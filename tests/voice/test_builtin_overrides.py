"""A skill's own versions of the framework's replies (issue 16): ``builtin:`` in its ``responses.yaml``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from voice import Dialog, Router, Skill, SkillError, Turn, load_skill
from voice.dialog import HandoffPolicy
from voice.skill_check import check_skills
from voice.store import open_store

CODE = """
    from voice import Skill, Slot
    skill = Skill("{name}", __file__)
    skill.flow("Register", slots=[Slot("street", prompt="AskStreet")])
"""
INTENTS = """
    language: nl
    intents:
      Register:
        data:
          - sentences: ["{word} aanmelden"]
          - requires_context: {{dialog: Register}}
            sentences: ["[in de] {{street}}"]
    lists:
      street: {{values: [kerkstraat, dorpsstraat]}}
"""
RESPONSES = 'responses:\n  Register: "Aangemeld."\n  AskStreet: "Welke straat?"\nbuiltin:\n'


def _skill(root: Path, name: str, word: str, builtin: str) -> Skill:
    folder = root / name
    (folder / "locales" / "nl").mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(CODE.format(name=name)))
    (folder / "locales" / "nl" / "intents.yaml").write_text(textwrap.dedent(INTENTS.format(word=word)))
    lines = textwrap.indent(textwrap.dedent(builtin).strip(), "  ")
    (folder / "locales" / "nl" / "responses.yaml").write_text(RESPONSES + lines + "\n")
    return load_skill(folder)


GEMEENTE = """
  handoff: "Ik verbind u door met een medewerker van de gemeente."
  fallback: "Dat heb ik niet begrepen. U kunt vragen naar afval of paspoorten."
  goodbye: "Dag, en bedankt voor het bellen met de gemeente."
  not_understood_in_flow: "Pardon? {{ question }}"
  no_person: "Er is nu geen medewerker. Bel de gemeente op 14 020."
"""
TRANSFER = HandoffPolicy(transfer_to="+31201234567")
"""A gateway puts a handed-over call through: a person is reachable."""


def _talk(skills: list[Skill], *lines: str, policy: HandoffPolicy = TRANSFER) -> list[str]:
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router(skills), store, policy=policy)
        return [dialog.respond(Turn(text=line, locale="nl", session_id="s1")).text for line in lines]


def test_the_skill_says_handoff_fallback_and_goodbye_its_own_way(tmp_path: Path) -> None:
    gemeente = _skill(tmp_path, "gemeente_own", "afval", GEMEENTE)
    said = _talk([gemeente], "blabla", "stop")
    assert said == [
        "Dat heb ik niet begrepen. U kunt vragen naar afval of paspoorten.",
        "Dag, en bedankt voor het bellen met de gemeente.",
    ]
    assert _talk([gemeente], "mag ik een medewerker spreken") == [
        "Ik verbind u door met een medewerker van de gemeente."
    ]
    nobody = _talk([gemeente], "mag ik een medewerker spreken", policy=HandoffPolicy())
    assert nobody == ["Er is nu geen medewerker. Bel de gemeente op 14 020."]


def test_the_skills_own_reply_names_its_settings_and_values(tmp_path: Path) -> None:
    """A built-in reply gets no values from a handler: the skill's settings (the config's
    ``[skill.<name>]``) and its ``values`` fill it, as they fill its own responses."""
    own = 'no_person: "Er is nu geen medewerker. Bel {{ office }} op {{ settings.phone }}."'
    gemeente = _skill(tmp_path, "gemeente_values", "afval", own)
    gemeente.settings, gemeente.values = {"phone": "14 020"}, {"office": "het stadhuis"}
    nobody = _talk([gemeente], "mag ik een medewerker spreken", policy=HandoffPolicy())
    assert nobody == ["Er is nu geen medewerker. Bel het stadhuis op 14 020."]


def test_replies_the_skill_leaves_out_are_the_frameworks(tmp_path: Path) -> None:
    gemeente = _skill(tmp_path, "gemeente_rest", "afval", GEMEENTE)
    assert _talk([gemeente], "dank je wel")[0].startswith("Graag gedaan")


def test_the_active_flows_skill_speaks_first(tmp_path: Path) -> None:
    own = 'fallback: "Anders."\nnot_understood_in_flow: "Nogmaals?"'
    other = _skill(tmp_path, "other_flow", "sport", own)
    gemeente = _skill(tmp_path, "gemeente_flow", "afval", GEMEENTE)
    said = _talk([other, gemeente], "afval aanmelden", "blabla")
    assert said == ["Welke straat?", "Pardon? Welke straat?"]
    assert _talk([other, gemeente], "blabla") == ["Anders."]  # no flow: the first loaded skill


def test_an_unknown_builtin_reply_is_refused_at_the_start(tmp_path: Path) -> None:
    typo = _skill(tmp_path, "builtin_typo", "afval", 'handof: "Moment."')
    with pytest.raises(SkillError, match=r"builtin reply 'handof', which the framework has not"):
        check_skills(Router([typo]))
