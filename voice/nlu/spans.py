"""Which words of a sentence an intent's slots would take, so a reviewed sentence becomes a template.

A caller's "ik wil zaterdag om elf uur langskomen voor advies" added word for word matches only that
Saturday, that hour and that topic, and fills no slot. Each slot's own list (the slot type's parser
for ``{date}`` and ``{time}``, a value list's compiled values) is tried on the sentence through the very
call edges the matcher walks, so the words a slot reads are found as the matcher reads them, and
become its placeholder: "ik wil {date} {time} langskomen voor {topic}".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .calls import SlotCall, slot_calls
from .graph import Run
from .lists import CAPTURE, WILDCARD
from .matcher import Matcher
from .normalize import normalize
from .template import Text, walk

__all__ = ["SlotSpan", "slot_spans", "with_placeholders"]


@dataclass(frozen=True, slots=True)
class SlotSpan:
    """Words of a sentence (``start``/``end`` in the normalised text) that slot ``slot`` reads as a value
    of list ``list_name``."""

    start: int
    end: int
    slot: str
    list_name: str

    @property
    def placeholder(self) -> str:
        """The template's reference: ``{date}``, or ``{list:slot}`` when the slot has another name."""
        named = self.list_name if self.slot == self.list_name else f"{self.list_name}:{self.slot}"
        return "{" + named + "}"


def slot_spans(matcher: Matcher, skill: str, intent: str, words: str) -> list[SlotSpan]:
    """The spans of ``words`` (normalised: lower case, no punctuation) that the slots of ``skill``'s
    ``intent`` would take, in sentence order: the longest reading first ("om elf uur" rather than "elf"),
    no two overlapping, each slot once. Wildcards are left out (they take any words), and so are
    captures for the response only and lists a single data block defines (another block cannot use
    them). A single word the intent's sentences spell out is theirs, not a slot's: the "een" of "ik wil
    een afspraak" is no time (one o'clock), however the time parser may read it."""
    run = Run.of(words, words, matcher.language)
    spelled = _literal_words(matcher, skill, intent)
    found: list[SlotSpan] = []
    for call in _slot_calls(matcher, skill, intent):
        for pos in _word_starts(words):
            for _end, _sow, _delta, captures in call.outcomes(run, pos, True):
                slot, start, end, _value, _listed, kind = captures[0]
                said = run.text[start:end]
                if kind not in (WILDCARD, CAPTURE) and said.strip() not in spelled | {""}:
                    first = start + len(said) - len(said.lstrip())
                    found.append(SlotSpan(first, start + len(said.rstrip()), slot, call.key[1]))
    chosen: list[SlotSpan] = []
    for span in sorted(found, key=lambda s: (s.start - s.end, s.start)):
        if all(span.slot != c.slot and (span.end <= c.start or c.end <= span.start) for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda span: span.start)


def with_placeholders(words: str, spans: list[SlotSpan]) -> str:
    """``words`` with each span replaced by its slot's placeholder (``spans`` in sentence order)."""
    parts, at = [], 0
    for span in spans:
        parts += [words[at : span.start], span.placeholder]
        at = span.end
    return "".join([*parts, words[at:]])


def _slot_calls(matcher: Matcher, skill: str, intent: str) -> Iterator[SlotCall]:
    """The intent's list calls, one per slot and list."""
    seen: set[tuple[str, str]] = set()
    for entry in matcher.entries:
        if entry.skill != skill or entry.intent != intent:
            continue
        for call in slot_calls(entry.graph):
            key = (call.slot, call.key[1])
            if key not in seen and not str(call.key[0]).startswith("block:"):
                seen.add(key)
                yield call


def _literal_words(matcher: Matcher, skill: str, intent: str) -> set[str]:
    """The words the intent's own sentences write as literal text (expansion rules not followed)."""
    return {
        word
        for intent_set in matcher.sets
        if intent_set.skill == skill and intent in intent_set.intents
        for block in intent_set.intents[intent].data
        for template in block.templates
        for expr in walk(template.expr)
        if isinstance(expr, Text)
        for word in normalize(expr.text).split()
    }


def _word_starts(words: str) -> Iterator[int]:
    yield 0
    yield from (at + 1 for at, char in enumerate(words) if char == " ")
