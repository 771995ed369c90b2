"""Which skills load by default, and one sentence for each way a skill fails to load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from voice import SkillError, load_skill
from voice.analytics.team import texts
from voice.cli import cli
from voice.config import SKILLS_DIR, load_config, skills_folder
from voice.skill_loading import skill_folder


def _init(folder: Path, name: str) -> Path:
    created = CliRunner().invoke(cli, ["init", name, "--into", str(folder)])
    assert created.exit_code == 0, created.output
    return folder / name


def _voice(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_the_skills_folder_next_to_the_config_file_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``voice init shop --into skills`` in a project: ``voice test`` and ``check`` (and every start) load
    it, from any working directory, not the shipped skills."""
    project = tmp_path / "project"
    _init(project / "skills", "shop")
    (project / "voice.toml").write_text('locales = ["en", "nl"]\n')
    tested = _voice("test", "--config", str(project / "voice.toml"))
    assert tested.exit_code == 0 and "ok   shop/booking_en.yaml" in tested.output, tested.output
    assert "customer_service" not in tested.output
    checked = _voice("check", "--config", str(project / "voice.toml"))
    assert checked.exit_code == 0 and "PROBLEM" not in checked.output, checked.output
    (project / "voice.toml").unlink()
    monkeypatch.chdir(project)  # no config file: the skills/ folder of the working directory
    assert skills_folder(load_config()) == Path("skills")
    by_name = _voice("test", "shop")
    assert by_name.exit_code == 0 and "2 passed, 0 failed" in by_name.output, by_name.output


def test_voice_knowledge_finds_a_project_skill_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``voice knowledge import ... --skill shop`` in the project of ``voice init shop --into skills``."""
    _init(tmp_path / "skills", "shop")
    faq = tmp_path / "faq.yaml"
    faq.write_text("- id: parking\n  question: Can I park here?\n  answer: Yes, behind the shop.\n")
    monkeypatch.chdir(tmp_path)
    imported = _voice("knowledge", "import", str(faq), "--skill", "shop", "-l", "en")
    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "skills" / "shop" / "knowledge" / "en" / "faq.yaml").read_text() == faq.read_text()
    missing = _voice("knowledge", "import", str(faq), "--skill", "shpo", "-l", "en")
    assert missing.exit_code != 0 and "no skill 'shpo' in skills/ or the shipped skills" in missing.output
    assert missing.output == _voice("test", "shpo").output  # one lookup: the same sentence as every command


@pytest.mark.parametrize("reference", ["customer_service", "skills.customer_service"], ids=["name", "module"])
def test_a_shipped_skill_is_found_by_name_or_module_without_a_project(reference: str) -> None:
    """``skill_folder`` (``voice knowledge``) takes what ``load_skill`` takes, and runs no skill code."""
    assert skill_folder(reference) == SKILLS_DIR / "customer_service"


def test_an_empty_project_skills_folder_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "skills").mkdir()
    monkeypatch.chdir(tmp_path)
    result = _voice("check")
    assert result.exit_code == 2 and result.output.startswith(
        "error: skills has no skill folders (a folder with __init__.py and locales/); create one with "
        "'voice init NAME --into skills'"
    ), result.output


def _broken(root: Path, kind: str) -> str:
    """A skill reference that fails to load in the way ``kind`` names."""
    _init(root / "skills", "shop")
    if kind == "import-in-code":
        code = root / "skills" / "shop" / "__init__.py"
        code.write_text(
            code.read_text().replace("import datetime as dt\n", "import nonexistent_module_xyz\n")
        )
        return str(root / "skills" / "shop")
    if kind == "no-init":
        (root / "bad" / "noinit" / "locales").mkdir(parents=True)
        return str(root / "bad" / "noinit")
    return {"misspelt-folder": str(root / "skills" / "shpo"), "misspelt-name": "shpo", "dot-path": "./shpo"}[
        kind
    ]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (
            "misspelt-folder",
            r"there is no skill folder {root}/skills/shpo \(did you mean {root}/skills/shop\?\); "
            r"check the path\.$",
        ),
        (
            "misspelt-name",
            r"there is no skill 'shpo' in {root}/skills/ or the shipped skills \(did you mean 'shop'\?\); "
            r"check the name, or give the skill's folder path\.$",
        ),
        ("dot-path", r"there is no skill folder shpo; check the path\.$"),
        (
            "import-in-code",
            r"skill '{root}/skills/shop' cannot load: {root}/skills/shop/__init__.py line 5 imports "
            r"'nonexistent_module_xyz', which is not installed; fix its code or install the package\.$",
        ),
        (
            "no-init",
            r"{root}/bad/noinit is not a skill folder: it has no __init__.py; create one with "
            r"'skill = Skill\(...\)'\.$",
        ),
    ],
    ids=["misspelt-folder", "misspelt-name", "dot-path", "import-in-code", "no-init"],
)
def test_a_skill_that_cannot_load_is_one_sentence_that_says_why(
    tmp_path: Path, kind: str, message: str
) -> None:
    reference = _broken(tmp_path, kind)
    with pytest.raises(SkillError, match=message.format(root=re.escape(str(tmp_path)))):
        load_skill(reference, tmp_path / "skills")


def test_a_skill_that_raises_while_loading_says_its_line_in_each_language(tmp_path: Path) -> None:
    """The file and line were one English "<file> line 5" in the Dutch sentence too."""
    code = _init(tmp_path / "skills", "shop") / "__init__.py"
    code.write_text(code.read_text().replace("import datetime as dt\n", "import datetime as dt\n1 / 0\n"))
    with pytest.raises(SkillError) as raised:
        load_skill(str(code.parent), tmp_path / "skills")
    line = code.read_text().splitlines().index("1 / 0") + 1
    assert raised.value.told(texts("nl", "commands")) == (
        f"skill '{code.parent}' kan niet worden geladen: {code} regel {line} gaf de fout "
        "ZeroDivisionError: division by zero; verbeter de code."
    )
    assert raised.value.message == (
        f"skill '{code.parent}' cannot load: {code} line {line} raised ZeroDivisionError: division by zero; "
        "fix its code."
    )


def test_two_skills_that_name_themselves_alike_stop_voice_test_as_they_stop_check(tmp_path: Path) -> None:
    """The name is ``Skill("shop")``'s, not the folder's: ``voice test`` ran both and passed."""
    first = _init(tmp_path / "myskills", "shop")
    second = tmp_path / "bad" / "nonamematch"
    second.parent.mkdir()
    first.rename(second)
    _init(tmp_path / "myskills", "shop")
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{first}", "{second}"]\n')
    sentence = (
        f"error: two skills are named 'shop' (in {first} and {second}, both skill = Skill('shop', ...)); "
        "give one of them another name in its __init__.py.\n"
    )
    for command in ("test", "check"):
        result = _voice(command, "--config", str(config))
        assert result.exit_code == 2 and result.output == sentence, (command, result.output)


def test_the_framework_skill_name_is_refused(tmp_path: Path) -> None:
    """A skill named 'builtin' fell back on every turn: its intents read as the framework's."""
    result = _voice("init", "builtin", "--into", str(tmp_path))
    assert result.exit_code == 1 and not (tmp_path / "builtin").exists()
    assert result.output == (
        "error: 'builtin' is the framework's own skill name (of yes, no, stop, help); choose another.\n"
    )
    code = _init(tmp_path, "shop") / "__init__.py"
    code.write_text(code.read_text().replace('Skill("shop"', 'Skill("builtin"'))
    with pytest.raises(
        SkillError, match=r"^'builtin' is the framework's own skill name .*; give the skill in "
    ):
        load_skill(code.parent)


def test_voice_init_says_how_the_new_skill_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``voice init`` said "Load it for good with skills = [...] in voice.toml" even for a skill in the
    project's skills/ folder, which loads without it (docs/skills.md), and a skills = [...] there would
    have left every other skill of the folder out."""
    monkeypatch.chdir(tmp_path)
    in_project = _voice("init", "shop", "--into", "skills")
    assert in_project.output.splitlines()[-1] == (
        "Every command here loads it with the other skills of skills/, as voice.toml names no skills."
    )
    elsewhere = _voice("init", "desk")
    assert elsewhere.output.splitlines()[-1].endswith(
        "move it into skills/ (whose skills load when voice.toml names none), or name it in voice.toml: "
        'skills = ["./desk"].'
    )
    Path("voice.toml").write_text('skills = ["./desk"]\n')
    named = _voice("init", "till")
    assert named.output.splitlines()[-1] == (
        'voice.toml names the skills to load: add "./till" to its skills = [...] to load this one too.'
    )
