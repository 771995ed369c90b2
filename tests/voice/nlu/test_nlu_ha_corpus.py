"""Home Assistant's corpus as its tests use it: name scoping, best_slot, ignore_whitespace, its method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ha_method import HassilRouter, OurRouter, cases, fixture_lists, loaded, meets

from voice.nlu import IntentSet, Matcher, TemplateError

CORPUS = Path(__file__).resolve().parents[2] / "data" / "home_assistant_intents"


def _set(data: dict[str, Any], **lists: Any) -> Matcher:
    matcher = Matcher(
        [IntentSet.from_dict({"language": "en", **data}, runtime_lists=lists)], best_slot="name"
    )
    for name, values in lists.items():
        matcher.set_list(name, values)
    return matcher


def _slots(matcher: Matcher, text: str, **context: Any) -> tuple[str, dict[str, Any]] | None:
    found = matcher.match(text, context=context)
    return None if found is None else (found.intent, {k: v.value for k, v in found.slots.items()})


def test_a_global_rule_may_use_a_rule_only_a_data_block_defines() -> None:
    matcher = _set(
        {
            "intents": {
                "GetState": {
                    "data": [{"sentences": ["<what_is>"], "expansion_rules": {"class": "temperature"}}]
                },
                "Other": {"data": [{"sentences": ["hello"]}]},
            },
            "expansion_rules": {"what_is": "what is the <class>"},
        }
    )
    assert _slots(matcher, "what is the temperature") == ("GetState", {})


def test_list_values_may_use_rules_and_a_rule_may_use_a_block_list() -> None:
    matcher = _set(
        {
            "intents": {
                "Open": {"data": [{"sentences": ["open the {cover}"]}]},
                "Paint": {
                    "data": [{"sentences": ["paint it <colour>"], "lists": {"colour": {"values": ["red"]}}}]
                },
            },
            "lists": {"cover": {"values": [{"in": "<awning>", "out": "awning"}]}},
            "expansion_rules": {"awning": "(awning|sunshade)", "colour": "[in] {colour}"},
        }
    )
    assert _slots(matcher, "open the sunshade") == ("Open", {"cover": "awning"})
    assert _slots(matcher, "paint it in red") == ("Paint", {"colour": "red"})


def _write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump({"language": "en", **data}), encoding="utf-8")
    return path


def test_an_unknown_rule_inside_a_rule_names_the_file_intent_sentence_and_chain(tmp_path: Path) -> None:
    common = _write(tmp_path, "_common.yaml", {"expansion_rules": {"what_is": "what is the <class>"}})
    ok = _write(tmp_path, "a.yaml", {"intents": {"A": {"data": [{"sentences": ["hello"]}]}}})
    broken = _write(
        tmp_path, "b.yaml", {"intents": {"B": {"data": [{"sentences": ["hi", "say <what_is>"]}]}}}
    )
    with pytest.raises(TemplateError, match=r"unknown expansion rule <class> in <what_is>") as caught:
        IntentSet.from_files([common, ok, broken])
    error = caught.value
    assert (error.file, error.intent, error.sentence, error.position) == (str(broken), "B", 2, 4)


def test_best_slot_prefers_the_longest_name() -> None:
    matcher = _set(
        {
            "intents": {
                "TurnOff": {
                    "data": [
                        {"sentences": ["turn off [the] {area} <light>"], "slots": {"domain": "light"}},
                        {"sentences": ["turn off [the] {name}"]},
                    ]
                }
            },
            "expansion_rules": {"light": "(lamp|light)"},
        },
        area=["bedroom"],
        name=["bedroom lamp"],
    )
    assert _slots(matcher, "turn off bedroom lamp") == ("TurnOff", {"name": "bedroom lamp"})


def test_context_from_a_name_satisfies_requires_context() -> None:
    matcher = _set(
        {
            "intents": {
                "Open": {
                    "data": [{"sentences": ["open [the] {name}"], "requires_context": {"domain": "cover"}}]
                },
            }
        },
        name=[{"in": "garage door", "out": "garage door", "context": {"domain": "cover"}}, "radio"],
    )
    found = matcher.match("open the garage door")
    assert found is not None and found.context["domain"] == "cover"
    assert matcher.match("open the radio") is None


def test_names_given_context_at_run_time_offer_it_after_earlier_matches() -> None:
    """The lists searched for offered context are kept between utterances; setting a list renews them."""
    matcher = _set(
        {
            "intents": {
                "Open": {
                    "data": [{"sentences": ["open [the] {name}"], "requires_context": {"domain": "cover"}}]
                }
            }
        },
        name=["garage door"],
    )
    assert matcher.match("open the garage door") is None  # no name carries context yet
    matcher.set_list("name", [{"in": "garage door", "out": "garage door", "context": {"domain": "cover"}}])
    found = matcher.match("open the garage door")
    assert found is not None and found.context["domain"] == "cover"


def test_ignore_whitespace_drops_spaces_between_cjk_letters() -> None:
    data = {
        "language": "zh-cn",
        "settings": {"ignore_whitespace": True},
        "intents": {"TurnOn": {"data": [{"sentences": ["打开{name}"]}]}},
        "skip_words": ["请"],
    }
    matcher = Matcher([IntentSet.from_dict(data, runtime_lists=["name"])])
    matcher.set_list("name", ["客厅灯"])
    for text in ("打开客厅灯", "请打开 客厅 灯", "打开客厅灯。"):
        found = matcher.match(text)
        assert found is not None and found.value("name") == "客厅灯", text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_home_assistant_test_method(language: str) -> None:
    """HA's own tests on the committed subset: we agree with hassil and are at least as accurate."""
    lists = fixture_lists(CORPUS, language)
    theirs, _ = loaded(HassilRouter, CORPUS, language, lists)
    ours, _ = loaded(OurRouter, CORPUS, language, lists)
    sample = cases(CORPUS, language)[::4]
    agree = hassil_correct = our_correct = 0
    differ = []
    for case in sample:
        hassil_result, our_result = theirs.recognize(case), ours.recognize(case)
        same = (hassil_result or ())[:2] == (our_result or ())[:2]
        agree += same
        hassil_correct += meets(case, hassil_result)
        our_correct += meets(case, our_result)
        if not same:
            differ.append((case.sentence, hassil_result, our_result))
    assert len(sample) > 200
    assert agree >= 0.995 * len(sample), differ[:5]
    assert our_correct >= hassil_correct
