"""The smaller frictions of issue 16 (item 7): a wrong language line, a wrong locale, a typo in a test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice import SkillError, load_skill
from voice.cli import cli
from voice.testing import load_script


def test_an_intents_file_in_the_wrong_language_folder_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "wrong_language"
    (folder / "locales" / "nl").mkdir(parents=True)
    (folder / "__init__.py").write_text(
        "from voice import Skill\nskill = Skill('wrong_language', __file__)\n"
    )
    intents = folder / "locales" / "nl" / "intents.yaml"
    intents.write_text("language: en\nintents:\n  Hi:\n    data: [{sentences: [hallo]}]\n")
    with pytest.raises(SkillError, match=r"locales/nl/intents.yaml says 'language: en' but is in the folder"):
        load_skill(folder).intents("nl")


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "script.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_a_locale_that_is_no_language_code_is_one_sentence(tmp_path: Path) -> None:
    path = _script(tmp_path, "locale: dutch\nturns:\n  - user: hallo\n")
    with pytest.raises(
        SkillError, match=r"script.yaml: locale 'dutch' is not a language code; write locale: nl"
    ):
        load_script(path)


def test_a_script_that_is_not_yaml_is_one_line(tmp_path: Path) -> None:
    path = _script(tmp_path, "locale: nl\nturns:\n  - user: [hallo\n")
    with pytest.raises(SkillError) as refused:
        load_script(path)
    assert str(refused.value).startswith(f"{path} is not valid YAML (") and "\n" not in str(refused.value)
    assert str(refused.value).endswith("; see docs/skills.md, Conversation tests.")


@pytest.mark.parametrize(
    ("body", "line", "key"),
    [
        ("locale: nl\nturns:\n  - user: hallo\n    intnet: Greeting\n", 4, "intnet"),
        ("locale: nl\nnwo: 2026-11-23\nturns:\n  - user: hallo\n", 2, "nwo"),
    ],
)
def test_a_typo_in_a_key_names_the_file_and_line(tmp_path: Path, body: str, line: int, key: str) -> None:
    with pytest.raises(SkillError, match=rf"script.yaml line {line}: unknown key {key!r}"):
        load_script(_script(tmp_path, body))


def test_a_broken_script_does_not_stop_voice_test(tmp_path: Path) -> None:
    folder = tmp_path / "two_scripts"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "tests").mkdir()
    (folder / "__init__.py").write_text("from voice import Skill\nskill = Skill('two_scripts', __file__)\n")
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Hi:\n    data: [{sentences: [what are the opening hours]}]\n"
    )
    (folder / "locales" / "en" / "responses.yaml").write_text("responses:\n  Hi: Nine to five.\n")
    (folder / "tests" / "a_broken.yaml").write_text(
        "turns:\n  - user: what are the opening hours\n    replly: Nine to five.\n"
    )
    (folder / "tests" / "b_fine.yaml").write_text(
        "turns:\n  - user: what are the opening hours\n    reply: Nine to five.\n"
    )
    result = CliRunner().invoke(cli, ["test", str(folder)])
    assert result.exit_code == 1
    assert (
        "FAIL two_scripts/a_broken.yaml" in result.output and "line 3: unknown key 'replly'" in result.output
    )
    assert "ok   two_scripts/b_fine.yaml" in result.output and "1 passed, 1 failed" in result.output


def test_two_skill_folders_with_the_same_name_load_their_own_code(tmp_path: Path) -> None:
    """A copied skill (same folder name, elsewhere) must run its own code, not the original's."""
    loaded = {}
    for place in ("original", "copy"):
        folder = tmp_path / place / "shop"
        (folder / "locales").mkdir(parents=True)
        (folder / "__init__.py").write_text("from voice import Skill\nskill = Skill('shop', __file__)\n")
        loaded[place] = load_skill(folder)
    assert {place: Path(skill.root).parent.name for place, skill in loaded.items()} == {
        "original": "original",
        "copy": "copy",
    }


def test_a_skill_folder_with_a_dot_in_its_name_loads(tmp_path: Path) -> None:
    folder = tmp_path / "shop.v2"
    (folder / "locales").mkdir(parents=True)
    (folder / "helpers.py").write_text("NAME = 'shop'\n")
    (folder / "__init__.py").write_text(
        "from voice import Skill\nfrom .helpers import NAME\nskill = Skill(NAME, __file__)\n"
    )
    assert load_skill(folder).name == "shop"


def test_a_skill_whose_code_fails_names_the_same_error_every_time(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    (folder / "locales").mkdir(parents=True)
    (folder / "__init__.py").write_text("from voice import Skill\nskill = Skill('broken', __file__)\n1 / 0\n")
    for _ in range(2):
        with pytest.raises(SkillError, match="ZeroDivisionError"):
            load_skill(folder)


def test_a_key_given_twice_is_refused_in_responses_skill_info_and_scripts(tmp_path: Path) -> None:
    """PyYAML keeps the last of two equal keys without a word: a second ``OpeningHours:`` response, a
    second ``invocation:`` or a second ``reply:`` of a turn would silently replace the first."""
    from voice.responses import Responses

    responses = tmp_path / "responses.yaml"
    responses.write_text("responses:\n  OpeningHours: Nine to five.\n  OpeningHours: Ten to six.\n")
    with pytest.raises(SkillError, match=r"line 3, column 3: the key 'OpeningHours' is given twice"):
        Responses.from_file(responses)
    folder = tmp_path / "shop"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "__init__.py").write_text("from voice import Skill\nskill = Skill('shop', __file__)\n")
    (folder / "locales" / "en" / "skill.yaml").write_text("invocation: city shop\ninvocation: town shop\n")
    with pytest.raises(SkillError, match=r"skill.yaml is not valid YAML \(.*'invocation' is given twice"):
        load_skill(str(folder)).info("en")
    script = _script(tmp_path, "locale: nl\nturns:\n  - user: hallo\n    reply: Dag!\n    reply: Hoi!\n")
    with pytest.raises(SkillError, match=r"the key 'reply' is given twice"):
        load_script(script)
