"""Loading intent files: hassil's format, skill folders, Home Assistant, and errors that say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from nlu_data import SHOP_NL

from voice.nlu import IntentSet, TemplateError, load_skills
from voice.nlu.slots import RangeList, SlotSpec, ValueList, WildcardList


def _with_sentence(sentence: str, **lists: Any) -> dict[str, Any]:
    return {
        "language": "en",
        "intents": {"Book": {"data": [{"sentences": ["book a table", sentence]}]}},
        "lists": lists,
    }


def _write_skill(root: Path, name: str, data: dict[str, Any]) -> Path:
    folder = root / name / "locales" / data["language"]
    folder.mkdir(parents=True)
    (folder / "intents.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root / name


def test_from_dict_keeps_structure_and_extra_keys() -> None:
    loaded = IntentSet.from_dict(SHOP_NL, skill="shop")
    assert loaded.language == "nl" and loaded.skill == "shop"
    assert set(loaded.intents) == set(SHOP_NL["intents"])
    assert loaded.intents["OpeningHours"].extra["slots"] == {"prompts": {"day": "Welke dag?"}}
    assert isinstance(loaded.lists["order"], RangeList)
    assert isinstance(loaded.lists["message"], WildcardList)
    assert isinstance(loaded.lists["person"], ValueList)
    assert loaded.skip_words == ("alsjeblieft", "graag")


def test_slot_specs() -> None:
    loaded = IntentSet.from_dict(SHOP_NL, skill="shop")
    assert loaded.intents["SetTimer"].slot_specs(loaded) == (
        SlotSpec("minutes", "minutes", "range"),
        SlotSpec("length", "duration", "duration"),
    )
    assert loaded.intents["LightsHere"].slot_specs(loaded) == (SlotSpec("domain", "", "fixed"),)


def test_from_skill_dir(tmp_path: Path) -> None:
    skill = _write_skill(tmp_path, "shop", SHOP_NL)
    loaded = IntentSet.from_skill_dir(skill, "nl")
    assert loaded.skill == "shop" and loaded.source.endswith("intents.yaml")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_home_assistant_loads_unchanged(language: str) -> None:
    loaded = IntentSet.from_home_assistant(language)
    assert {"HassTurnOn", "HassTurnOff", "HassLightSet", "HassStartTimer"} <= set(loaded.intents)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with_sentence("book (a table"), r"unbalanced '\('.*intent Book, sentence 2, position 5"),
        (
            _with_sentence("book for {people}"),
            r"unknown list \{people\}.*intent Book, sentence 2, position 9",
        ),
        (_with_sentence("book <when>"), r"unknown expansion rule <when>.*sentence 2, position 5"),
        (
            _with_sentence("book {n}", n={"range": {"from": 10, "to": 1}}),
            r"bad range in list \{n\}: 'from' 10",
        ),
        (
            _with_sentence("book {n}", n={"range": {"from": 1, "to": 9, "step": 0}}),
            r"'step' 0 must be positive",
        ),
        (_with_sentence("book {n}", n={"range": {"from": "x", "to": 9}}), r"bad range in list \{n\}"),
        (_with_sentence("book {9..1:n}"), r"bad range \{9\.\.1\}"),
        (_with_sentence("book {n}", n={"size": 3}), r"list \{n\} needs 'values', 'range' or 'wildcard"),
        ({"intents": {}}, r"no 'language'"),
        ({"language": "en", "intents": {"A": {"sentences": ["x"]}}}, r"'data' list.*intent A"),
        (
            {
                "language": "en",
                "intents": {"A": {"data": [{"sentences": ["<a>"]}]}},
                "expansion_rules": {"a": "x <b>", "b": "<a>"},
            },
            r"refers to itself: <a> -> <b> -> <a>",
        ),
    ],
    ids=[
        "bracket",
        "unknown-list",
        "unknown-rule",
        "range-order",
        "range-step",
        "range-type",
        "inline-range",
        "list-kind",
        "no-language",
        "no-data",
        "rule-cycle",
    ],
)
def test_broken_files_name_the_place(data: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message) as caught:
        IntentSet.from_dict(data, source="shop.yaml")
    assert caught.value.file == "shop.yaml" and "shop.yaml" in str(caught.value)


def test_broken_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    path.write_text("language: en\nintents: [\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="invalid YAML") as caught:
        IntentSet.from_file(path)
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("sentence", "hint"),
    [("op {datum}", "{datum} (did you mean {date}?) in"), ("at <tme>", "<tme> (did you mean <time>?) in")],
    ids=["slot-type", "rule"],
)
def test_a_misspelt_reference_names_the_nearest(sentence: str, hint: str) -> None:
    """{datum} for {date} was only "unknown list {datum}", where a misspelt handler name gets a hint."""
    data = {**_with_sentence(sentence), "expansion_rules": {"time": "(morning|evening)"}}
    with pytest.raises(TemplateError) as caught:
        IntentSet.from_dict(data, source="shop.yaml")
    assert hint in caught.value.message


def test_runtime_lists_must_be_declared() -> None:
    data = _with_sentence("call {person}")
    with pytest.raises(TemplateError, match=r"unknown list \{person\}"):
        IntentSet.from_dict(data)
    assert "Book" in IntentSet.from_dict(data, runtime_lists=["person"]).intents


def test_load_skills_collects_errors_when_asked(tmp_path: Path) -> None:
    good = _write_skill(tmp_path, "good", SHOP_NL)
    bad = _write_skill(
        tmp_path, "bad", {"language": "nl", "intents": {"X": {"data": [{"sentences": ["(x"]}]}}}
    )
    with pytest.raises(TemplateError, match="intent X, sentence 1"):
        load_skills([bad, good], "nl")
    loaded, errors = load_skills([bad, good], "nl", collect_errors=True)
    assert [s.skill for s in loaded] == ["good"]
    assert len(errors) == 1 and errors[0].intent == "X" and "bad" in errors[0].file
