"""Start-up and ``voice check`` catch every mismatch of handlers, templates, responses and prompts."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice import Router, SkillError, load_skill
from voice.cli import cli
from voice.skill_check import check_skills, skill_problems

CODE = """
    from voice import Reply, Skill, Slot, Turn
    skill = Skill("{name}", __file__)

    def _too_late(value, turn):
        return "TooLate" if value == "never" else None

    street = Slot("street", prompt="AskStreet", validate=_too_late)
    skill.flow("Collect", slots=[street], confirm="ConfirmCollect")

    @skill.intent({handled!r})
    def collect(turn: Turn) -> Reply:
        return skill.reply(turn, "Collected")
"""
INTENTS = """
    language: {language}
    intents:
      Collect:
        data: [{{sentences: ["collect [at] {{street}}"]}}]
      Opening:
        data: [{{sentences: ["opening"]}}]
    lists:
      street: {{wildcard: true}}
"""
FULL = {
    "AskStreet": "Which street?",
    "ConfirmCollect": "Collect at {{ street }}?",
    "TooLate": "Too late.",
    "Collected": "Done.",
    "Opening": "Open.",
}


def _skill(root: Path, name: str, handled: str = "Collect", **missing: str) -> Path:
    """A skill in en and nl; ``missing``: language -> a response key left out of that language."""
    folder = root / name
    (folder / "__init__.py").parent.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(CODE.format(name=name, handled=handled)))
    for language in ("en", "nl"):
        (folder / "locales" / language).mkdir(parents=True)
        intents = INTENTS.format(language=language)
        (folder / "locales" / language / "intents.yaml").write_text(textwrap.dedent(intents))
        keys = {k: v for k, v in FULL.items() if k != missing.get(language)}
        body = "".join(f"  {key}: {value!r}\n" for key, value in keys.items())
        (folder / "locales" / language / "responses.yaml").write_text(f"responses:\n{body}")
    return folder


def _problems(folder: Path) -> list[str]:
    return skill_problems(Router([load_skill(folder)]))


def test_a_skill_that_fits_together_has_no_problems(tmp_path: Path) -> None:
    assert _problems(_skill(tmp_path, "check_fine")) == []


def test_a_misspelt_handler_names_the_nearest_intent(tmp_path: Path) -> None:
    with pytest.raises(SkillError, match=r"intent 'Colect'.*did you mean 'Collect'\?"):
        check_skills(Router([load_skill(_skill(tmp_path, "check_typo", handled="Colect"))]))


@pytest.mark.parametrize(
    ("key", "what"),
    [
        ("AskStreet", "the prompt of slot 'street' of flow 'Collect'"),
        ("ConfirmCollect", "the confirmation of flow 'Collect'"),
        ("TooLate", "an answer of the validator of slot 'street'"),
        ("Collected", r"said in __init__.py line \d+"),
        ("Opening", "intent 'Opening' has no handler"),
    ],
)
def test_a_missing_response_names_the_file_the_key_and_its_use(tmp_path: Path, key: str, what: str) -> None:
    problems = _problems(_skill(tmp_path, f"check_miss_{key.lower()}", nl=key))
    assert len(problems) == 1
    assert "locales/nl/responses.yaml" in problems[0] and repr(key) in problems[0]
    assert problems[0].endswith("add it.") or "add the response" in problems[0]
    assert re.search(what, problems[0])


def test_the_start_refuses_with_the_first_and_counts_the_rest(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_two", en="AskStreet", nl="Opening")
    with pytest.raises(SkillError, match=r"AskStreet.*\(1 more: run 'voice check'\)"):
        check_skills(Router([load_skill(folder)]))


def test_voice_check_lists_every_problem(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_many", handled="Colect", en="AskStreet", nl="TooLate")
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{folder}"]\n')
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("PROBLEM: ")]
    assert len(lines) == 3, result.output
    assert any("Colect" in line for line in lines) and any("TooLate" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("invocation: [city, shop\n", "is not valid YAML"),
        ("invokation: city shop\n", "unknown key 'invokation'"),
        ("examples: what are your opening hours\n", "'examples' must be a list of texts"),
    ],
)
def test_a_publishing_text_the_exports_cannot_read_is_a_problem(tmp_path: Path, text: str, what: str) -> None:
    folder = _skill(tmp_path, "check_info")
    (folder / "locales" / "nl" / "skill.yaml").write_text(text)
    problems = _problems(folder)
    assert len(problems) == 1 and "locales/nl/skill.yaml" in problems[0] and what in problems[0]


def test_a_publishing_text_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_latin1")
    (folder / "locales" / "nl" / "skill.yaml").write_bytes("name: Café\n".encode("latin-1"))
    problems = _problems(folder)
    assert len(problems) == 1 and "is not UTF-8 text" in problems[0], problems


def test_the_start_only_warns_about_a_publishing_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The running assistant never reads skill.yaml: a store-listing typo must not stop a server."""
    folder = _skill(tmp_path, "check_start_info")
    (folder / "locales" / "en" / "skill.yaml").write_text("invokation: city shop\n")
    check_skills(Router([load_skill(folder)]))
    assert "unknown key 'invokation'" in caplog.text and "only the exports read it" in caplog.text
