"""``voice knowledge import`` checks everything before it copies anything, keeps relative paths and
builds the index once; evaluation and FAQ values are type-checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from voice.cli.knowledge import knowledge
from voice.errors import ConfigError, SkillError
from voice.knowledge import KnowledgeBase, read_file
from voice.knowledge.evaluation import EvalSet

from .knowledge_support import write_skill

FAQ = "- id: {id}\n  question: {question}\n  answer: 'The answer to {question}'\n"


def _faq(folder: Path, name: str, **questions: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(FAQ.format(id=i, question=q) for i, q in questions.items()), encoding="utf-8")
    return path


def test_two_inputs_with_the_same_name_are_refused_and_nothing_is_copied(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {})
    first = _faq(tmp_path / "a", "faq.yaml", hours="When are you open?")
    second = _faq(tmp_path / "b", "faq.yaml", parking="Can I park?")
    result = CliRunner().invoke(
        knowledge, ["import", str(first), str(second), "--skill", str(skill), "-l", "en"]
    )
    assert result.exit_code != 0 and isinstance(result.exception, SkillError)
    assert "would both be copied to" in str(result.exception)
    assert list((skill / "knowledge" / "en").iterdir()) == []


def test_folders_keep_their_relative_paths(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {})
    site = tmp_path / "site"
    for page in ("shipping", "returns"):
        (site / page).mkdir(parents=True)
        (site / page / "index.html").write_text(f"<h1>{page}</h1><p>All about {page}.</p>", encoding="utf-8")
    (site / ".hidden.md").write_text("# secret\n\nnot content\n", encoding="utf-8")
    result = CliRunner().invoke(knowledge, ["import", str(site), "--skill", str(skill), "-l", "en"])
    assert result.exit_code == 0, result.output
    content = skill / "knowledge" / "en"
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*") if p.is_file()) == [
        "site/.imported.json",  # what the next import of the folder removes when the site drops it
        "site/returns/index.html",
        "site/shipping/index.html",
    ]
    assert "site/shipping/index.html: 1 entries" in result.output
    assert "index of 2 entries built" in result.output


def test_pages_named_alike_in_different_folders_get_distinct_ids(tmp_path: Path) -> None:
    """A site's pages are often each an index.html in its own folder; ids follow the path in the skill,
    at import and when the content is loaded again."""
    skill = write_skill(tmp_path, "en", {})
    site = tmp_path / "site"
    for page in ("shipping", "returns"):
        (site / page).mkdir(parents=True)
        (site / page / "index.html").write_text(
            f"<h1>{page}</h1><p>All about {page}.</p><h2>Help</h2><p>Call us.</p>", encoding="utf-8"
        )
    result = CliRunner().invoke(knowledge, ["import", str(site), "--skill", str(skill), "-l", "en"])
    assert result.exit_code == 0, result.output
    assert sorted(e.id for e in KnowledgeBase.load(skill, "en", use_model=False).entries) == [
        "site/returns/index#help",
        "site/returns/index#returns",
        "site/shipping/index#help",
        "site/shipping/index#shipping",
    ]


def test_an_id_already_in_the_skill_is_refused_before_copying(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ.format(id="hours", question="When are you open?")})
    upload = _faq(tmp_path / "upload", "more.yaml", hours="Can I park?")
    result = CliRunner().invoke(knowledge, ["import", str(upload), "--skill", str(skill), "-l", "en"])
    assert result.exit_code != 0 and "the id 'hours' is used in faq.yaml too" in str(result.exception)
    assert not (skill / "knowledge" / "en" / "more.yaml").exists()
    assert len(KnowledgeBase.load(skill, "en", use_model=False).entries) == 1  # the skill still works


def test_a_file_of_the_same_name_is_replaced_and_its_old_ids_do_not_count(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ.format(id="hours", question="When are you open?")})
    upload = _faq(tmp_path / "upload", "faq.yaml", hours="When do you open?", parking="Can I park?")
    result = CliRunner().invoke(knowledge, ["import", str(upload), "--skill", str(skill), "-l", "en"])
    assert result.exit_code == 0, result.output
    assert "faq.yaml: 2 entries" in result.output
    assert (skill / "knowledge" / "en" / "faq.yaml").read_text() == upload.read_text()


def test_an_unknown_language_leaves_no_folder_behind(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {})
    upload = _faq(tmp_path, "faq.yaml", hours="When are you open?")
    result = CliRunner().invoke(knowledge, ["import", str(upload), "--skill", str(skill), "-l", "xx"])
    assert isinstance(result.exception, ConfigError) and "no knowledge lexicon for language 'xx'" in str(
        result.exception
    )
    assert not (skill / "knowledge" / "xx").exists()


def test_the_index_is_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    skill = write_skill(tmp_path, "en", {})
    upload = _faq(tmp_path, "faq.yaml", hours="When are you open?")
    builds: list[Path] = []
    original = KnowledgeBase._build

    def counted(self: KnowledgeBase) -> float:
        builds.append(self.index_dir)
        return original(self)

    monkeypatch.setattr(KnowledgeBase, "_build", counted)
    result = CliRunner().invoke(knowledge, ["import", str(upload), "--skill", str(skill), "-l", "en"])
    assert result.exit_code == 0, result.output
    assert len(builds) == 1


def test_out_of_scope_must_be_a_list(tmp_path: Path) -> None:
    path = tmp_path / "eval.yaml"
    path.write_text(
        "language: en\nquestions:\n  - {say: 'when are you open', expect: hours}\n"
        "out_of_scope: 'do you sell cars'\n",
        encoding="utf-8",
    )
    with pytest.raises(SkillError, match="out_of_scope must be a list of questions"):
        EvalSet.from_file(path)


def test_an_eval_file_that_is_not_yaml_is_refused_in_one_line(tmp_path: Path) -> None:
    """As an FAQ file is: PyYAML's own message spans five lines and begins with its context."""
    path = tmp_path / "eval.yaml"
    path.write_text("language: en\nquestions: [{say: 'open?', expect: hours}\n", encoding="utf-8")
    message = r"eval.yaml is not valid YAML \(line 3, column 1: .*expected ',' or '\]'.*\); fix the file.$"
    with pytest.raises(SkillError, match=message) as error:
        EvalSet.from_file(path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("field", ["short", "link"])
def test_a_short_answer_or_link_that_is_not_text_is_refused(tmp_path: Path, field: str) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(f"- question: 'Open?'\n  answer: 'Every day.'\n  {field}: yes\n", encoding="utf-8")
    with pytest.raises(SkillError, match=f"entry 1: the {field} must be text; put it in quotes"):
        read_file(path)
