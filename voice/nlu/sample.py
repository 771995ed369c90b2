"""Example sentences generated from the compiled templates, with slot spans.

Used to build recogniser grammars and Alexa/Dialogflow exports, by the conflict
checker and by the benchmark. Sentences come from random walks over a template's
graph (seeded, so runs repeat), one value per slot list, de-duplicated. A wildcard slot gets one
of its list's ``examples:``, or a filler word when the list has none.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..language import language_of
from .calls import RuleCall, SlotCall
from .compile import Entry
from .context import allows_value
from .graph import CALL, LIT, Graph
from .lists import (
    ListMatcher,
    RangeMatcher,
    SlotTypeMatcher,
    ValueMatcher,
    WildcardMatcher,
)
from .slots import ListValue
from .template import Text

__all__ = ["Sample", "SampleSlot", "sample_entry", "sample_sentences"]

_WILDCARD_FILLER = {"nl": "boodschappen", "en": "groceries"}
_SPACES = re.compile(r" +")


@dataclass(frozen=True, slots=True)
class SampleSlot:
    """A slot in a sample sentence: its name, character span and value."""

    name: str
    start: int
    end: int
    value: Any


@dataclass(frozen=True, slots=True)
class Sample:
    """One generated sentence of an intent's template."""

    text: str
    intent: str
    skill: str
    template: str
    slots: tuple[SampleSlot, ...]


class _Walk:
    """Builds one sentence: text pieces plus slot marks, spaces collapsed as we go."""

    def __init__(self) -> None:
        self.text = ""
        self.slots: list[SampleSlot] = []

    def add(self, piece: str) -> None:
        if self.text.endswith(" ") or not self.text:
            piece = piece.lstrip()
        self.text += _SPACES.sub(" ", piece)

    def slot(self, name: str, words: str, value: Any) -> None:
        if self.text and not self.text.endswith(" "):
            self.text += " "
        start = len(self.text)
        self.text += words
        self.slots.append(SampleSlot(name, start, len(self.text), value))


def _options(matcher: ListMatcher, callee: SlotCall, language: str) -> list[tuple[str | Graph, Any]]:
    """What a slot list can be sampled as: (words or a value template's graph, value) pairs."""
    if isinstance(matcher, ValueMatcher):

        def fits(value: ListValue) -> bool:
            return allows_value(value.context, callee.requires, callee.excludes)

        plain: list[tuple[str | Graph, Any]] = [
            (value.text, value.text if value.value is None else value.value)
            for value in matcher.values
            if value.text.strip() and isinstance(value.expr, Text) and fits(value)
        ]
        return plain + [(graph, value.value) for value, graph in matcher.graphs if fits(value)]
    if isinstance(matcher, RangeMatcher):
        spec = matcher.range
        numbers = sorted(
            {spec.start, spec.stop, spec.start + (spec.stop - spec.start) // spec.step // 2 * spec.step}
        )
        return [(str(number), spec.scaled(number)) for number in numbers]
    if isinstance(matcher, WildcardMatcher):
        if matcher.examples:
            return [(words, words) for words in matcher.examples]
        filler = _WILDCARD_FILLER.get(language_of(language), "something")
        return [(filler, filler)]
    assert isinstance(matcher, SlotTypeMatcher)
    return [(words, None) for words in matcher.type.examples_for(language)]


def _walk(graph: Graph, walk: _Walk, rng: random.Random, language: str) -> bool:
    node = 0
    while node != graph.final:
        edges = graph.edges[node]
        if not edges:
            return False
        edge = rng.choice(edges)
        if edge[0] == LIT:
            walk.add(edge[2])
        elif edge[0] == CALL and not _call(edge[2], walk, rng, language):
            return False
        node = edge[1]
    return True


def _call(callee: Any, walk: _Walk, rng: random.Random, language: str) -> bool:
    if isinstance(callee, RuleCall):
        return _walk(callee.graph, walk, rng, language)
    assert isinstance(callee, SlotCall)
    matcher = callee.lists.get(callee.key)
    options = [] if matcher is None else _options(matcher, callee, language)
    if not options:
        return False
    words, value = rng.choice(options)
    if isinstance(words, Graph):
        spoken = _Walk()
        if not _walk(words, spoken, rng, language):
            return False
        words = spoken.text.strip()
        value = words if value is None else value
    if not callee.capture:
        walk.slot(callee.slot, words, value)
    else:
        walk.add(f" {words} ")
    return True


def sample_entry(
    entry: Entry, language: str, *, limit: int = 10, seed: int = 0, attempts: int = 4
) -> Iterator[Sample]:
    """Up to ``limit`` distinct sentences of one compiled template."""
    rng = random.Random(f"{seed}:{entry.number}")
    seen: set[str] = set()
    for _ in range(limit * attempts):
        walk = _Walk()
        if not _walk(entry.graph, walk, rng, language):
            continue
        text = walk.text.strip()
        if text and text not in seen:
            seen.add(text)
            shift = len(walk.text) - len(walk.text.lstrip())
            slots = tuple(SampleSlot(s.name, s.start - shift, s.end - shift, s.value) for s in walk.slots)
            yield Sample(text, entry.intent, entry.skill, entry.template.text, slots)
            if len(seen) >= limit:
                return


def sample_sentences(
    matcher: Any, intent: str | None = None, *, limit: int = 10, seed: int = 0, skill: str | None = None
) -> Iterator[Sample]:
    """Up to ``limit`` sentences per template of ``intent`` (every intent if None)."""
    for entry in matcher.entries:
        if (intent is None or entry.intent == intent) and (skill is None or entry.skill == skill):
            yield from sample_entry(entry, matcher.language, limit=limit, seed=seed)
