"""Home Assistant's own test method, for this router and for hassil (shared by a test and bench/router.py).

A checkout of home-assistant/intents (or a subset with the same layout: ``sentences/<lang>/*.yaml``,
``tests/<lang>/*.yaml``) is read the way its ``tests/test_language_sentences.py`` reads it: the
area, floor and name lists come from ``tests/<lang>/_fixtures.yaml`` (names carry their entity's
domain and attributes as context), every test sentence is recognised with the test's context, and
hassil is called with ``best_slot_name="name"`` and a name list narrowed to the names found in the
sentence, as HA does. A result meets the test when its intent, slots and (if the test gives one)
context are what the test expects, by HA's rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents, Trie, merge_dict, parse_sentence, recognize_best, sample_expression
from hassil.intents import SlotList, TextSlotList
from hassil.util import is_template

from voice.nlu import IntentSet, Matcher

Result = tuple[str, dict[str, Any], dict[str, Any]] | None
"""(intent, slot values, context) or None."""


@dataclass(frozen=True, slots=True)
class Case:
    """One test sentence and what HA's test expects of it."""

    file: str
    sentence: str
    context: dict[str, Any]
    intent: str
    slots: dict[str, Any]
    expect_context: bool


def languages(corpus: Path) -> list[str]:
    """The languages that have both sentences and tests in ``corpus``."""
    return sorted(
        folder.name
        for folder in (corpus / "sentences").iterdir()
        if folder.is_dir() and (corpus / "tests" / folder.name / "_fixtures.yaml").is_file()
    )


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def cases(corpus: Path, language: str) -> list[Case]:
    """Every test sentence of ``language``, in file order."""
    found: list[Case] = []
    for path in sorted((corpus / "tests" / language).glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        for test in _load(path).get("tests") or ():
            intent = test["intent"]
            context = dict(intent.get("context") or {})
            for sentence in test.get("sentences") or ():
                found.append(
                    Case(
                        path.name,
                        sentence,
                        context,
                        intent["name"],
                        dict(intent.get("slots") or {}),
                        bool(context),
                    )
                )
    return found


def _expand(name: str) -> list[str]:
    if is_template(name):
        return [text.strip() for text in sample_expression(parse_sentence(name).expression)]
    return [name.strip()]


def fixture_lists(corpus: Path, language: str) -> dict[str, list[Any]]:
    """Area and floor names, and (name, name, context) tuples for entities, as HA's tests build them."""
    fixtures = _load(corpus / "tests" / language / "_fixtures.yaml")
    names: list[tuple[str, str, dict[str, Any]]] = []
    for entity in fixtures.get("entities") or ():
        context = {"domain": entity["id"].split(".", 1)[0], **(entity.get("attributes") or {})}
        names.extend((name, name, context) for name in _expand(entity["name"]))
    return {
        "area": [name for area in fixtures.get("areas") or () for name in _expand(area["name"])],
        "floor": [name for floor in fixtures.get("floors") or () for name in _expand(floor["name"])],
        "name": names,
    }


def meets(case: Case, found: Result) -> bool:
    """HA's verdict: the expected intent, every matched slot expected (lists as sets), none missing."""
    if found is None or found[0] != case.intent:
        return False
    intent, slots, context = found
    for name, value in slots.items():
        wanted = case.slots.get(name)
        if wanted is None or not _slot_ok(wanted, value):
            return False
    if any(name not in slots for name in case.slots):
        return False
    return not case.expect_context or context == case.context


def _slot_ok(wanted: Any, value: Any) -> bool:
    if isinstance(wanted, list):
        return set(wanted).issubset(value) if isinstance(value, list) else value in set(wanted)
    return wanted in value if isinstance(value, list) else bool(wanted == value)


class _Timed:
    """A router that adds up the CPU time of its recognitions."""

    seconds: float = 0.0

    def timed(self, call: Callable[[], Result]) -> Result:
        start = time.process_time()
        try:
            return call()
        finally:
            self.seconds += time.process_time() - start

    def recognize(self, case: Case) -> Result:
        raise NotImplementedError


class HassilRouter(_Timed):
    """hassil as HA's tests call it."""

    def __init__(self, corpus: Path, language: str, lists: dict[str, list[Any]]) -> None:
        files = {path.name: _load(path) for path in sorted((corpus / "sentences" / language).glob("*.yaml"))}
        common = files.pop("_common.yaml", {"language": language})
        common.setdefault("intents", {})
        merged: dict[str, Any] = {}
        for data in files.values():
            merge_dict(merged, data)
        self.intents = Intents.from_dict(common)
        self.intents.intents.update(Intents.from_dict(merged).intents)
        self.lists: dict[str, SlotList] = {
            "area": TextSlotList.from_strings(lists["area"]),
            "floor": TextSlotList.from_strings(lists["floor"]),
        }
        name_list = TextSlotList.from_tuples(lists["name"])
        self.trie = Trie()
        for value in name_list.values:
            self.trie.insert(value.text_in.text.strip().lower(), value)  # type: ignore[attr-defined]

    def recognize(self, case: Case) -> Result:
        lists = {
            **self.lists,
            "name": TextSlotList(name="name", values=[v[2] for v in self.trie.find(case.sentence.lower())]),
        }
        return self.timed(lambda: self._recognize(case, lists))

    def _recognize(self, case: Case, lists: dict[str, SlotList]) -> Result:
        found = recognize_best(
            case.sentence,
            self.intents,
            slot_lists=lists,
            intent_context=dict(case.context),
            best_slot_name="name",
        )
        if found is None:
            return None
        return found.intent.name, {e.name: e.value for e in found.entities.values()}, dict(found.context)


class OurRouter(_Timed):
    """This router, loaded from the same files, with the full lists set once."""

    def __init__(self, corpus: Path, language: str, lists: dict[str, list[Any]]) -> None:
        self.matcher = Matcher([IntentSet.from_home_assistant(language, path=corpus)], best_slot="name")
        self.matcher.set_list("area", lists["area"])
        self.matcher.set_list("floor", lists["floor"])
        self.matcher.set_list("name", lists["name"])

    def recognize(self, case: Case) -> Result:
        return self.timed(lambda: self._match(case))

    def _match(self, case: Case) -> Result:
        found = self.matcher.match(case.sentence, context=case.context)
        if found is None:
            return None
        return found.intent, {name: slot.value for name, slot in found.slots.items()}, dict(found.context)


def loaded(
    kind: type[HassilRouter | OurRouter], corpus: Path, language: str, lists: dict[str, list[Any]]
) -> tuple[_Timed, float]:
    """A router and its load time in CPU seconds."""
    start = time.process_time()
    router = kind(corpus, language, lists)
    return router, time.process_time() - start


def compare(corpus: Path, language: str) -> Iterator[tuple[Case, Result, Result]]:
    """(case, hassil's result, ours) for every test sentence, both routers interleaved."""
    lists = fixture_lists(corpus, language)
    theirs, _ = loaded(HassilRouter, corpus, language, lists)
    ours, _ = loaded(OurRouter, corpus, language, lists)
    for case in cases(corpus, language):
        yield case, theirs.recognize(case), ours.recognize(case)
