"""Which words of a sentence an intent's slots would take, so a reviewed sentence becomes a template.

A caller's "ik wil zaterdag om elf uur langskomen voor advies" added word for word matches only that
Saturday, that hour and that topic, and fills no slot. Each slot's own list (the slot type's parser
for ``{date}`` and ``{time}``, a value list's compiled values) is tried on the sentence through the very
call edges the matcher walks, so the words a slot reads are found as the matcher reads them, and
become its placeholder: "ik wil {date} {time} langskomen voor {topic}". The words are the matcher's
own reading of the utterance (``normalize``), so a span ends where the time parser stops ("om drie uur
's middags"), not where another normalisation would cut it. A number is a slot's value only where the
intent's sentences write the slot before the word that follows it: the "twee" of "twee stoelen" counts
chairs, not the people of "een tafel voor {number} personen".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .calls import SlotCall, slot_calls
from .graph import Run
from .lists import CAPTURE, WILDCARD
from .matcher import Matcher
from .normalize import normalize
from .template import Alt, Expr, ListRef, Seq, Text, walk

__all__ = ["SlotSpan", "slot_spans", "with_placeholders"]


@dataclass(frozen=True, slots=True)
class SlotSpan:
    """Words of a sentence (``start``/``end`` in the normalised text) that slot ``slot`` reads as a value
    of list ``list_name``, with the ``value`` the list reads there."""

    start: int
    end: int
    slot: str
    list_name: str
    value: Any = None

    @property
    def placeholder(self) -> str:
        """The template's reference: ``{date}``, or ``{list:slot}`` when the slot has another name."""
        named = self.list_name if self.slot == self.list_name else f"{self.list_name}:{self.slot}"
        return "{" + named + "}"


def slot_spans(matcher: Matcher, skill: str, intent: str, words: str, now: Any = None) -> list[SlotSpan]:
    """The spans of ``words`` (as the matcher reads them: ``normalize``) that the slots of ``skill``'s
    ``intent`` would take, in sentence order: the longest reading first ("om elf uur" rather than "elf"),
    no two overlapping, each slot once. Wildcards are left out (they take any words), and so are
    captures for the response only and lists a single data block defines (another block cannot use
    them). A single word the intent's sentences spell out is theirs, not a slot's: the "een" of "ik wil
    een afspraak" is no time (one o'clock), however the time parser may read it, and a number followed by
    a word the intent's sentences never write after its slot is a quantity of that word ("twee stoelen").
    ``now`` is the day a date is read from, as the matcher's ``now``."""
    run = Run.of(words, words, matcher.language, now)
    spelled = _literal_words(matcher, skill, intent)
    followers = _followers(matcher, skill, intent)
    found: list[SlotSpan] = []
    for call in _slot_calls(matcher, skill, intent):
        for pos in _word_starts(words):
            for _end, _sow, _delta, captures in call.outcomes(run, pos, True):
                slot, start, end, value, _listed, kind = captures[0]
                said = run.text[start:end]
                if kind not in (WILDCARD, CAPTURE) and said.strip() not in spelled | {""}:
                    first, last = start + len(said) - len(said.lstrip()), start + len(said.rstrip())
                    if not _quantity_of_another(value, _next_word(words, last), followers.get(slot, {_ANY})):
                        found.append(SlotSpan(first, last, slot, call.key[1], value))
    chosen: list[SlotSpan] = []
    for span in sorted(found, key=lambda s: (s.start - s.end, s.start)):
        if all(span.slot != c.slot and (span.end <= c.start or c.end <= span.start) for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda span: span.start)


def with_placeholders(words: str, spans: list[SlotSpan], literal: Callable[[str], str]) -> str:
    """``words`` with each span replaced by its slot's placeholder (``spans`` in sentence order), the
    words between them written as ``literal`` writes them."""
    parts, at = [], 0
    for span in spans:
        parts += [literal(words[at : span.start]), span.placeholder]
        at = span.end
    return " ".join(part for part in [*parts, literal(words[at:])] if part)


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


def _sentences(matcher: Matcher, skill: str, intent: str) -> Iterator[Expr]:
    """The parsed sentences ``skill``'s ``intent`` writes itself (expansion rules not followed)."""
    for intent_set in matcher.sets:
        if intent_set.skill == skill and intent in intent_set.intents:
            for block in intent_set.intents[intent].data:
                yield from (template.expr for template in block.templates)


def _literal_words(matcher: Matcher, skill: str, intent: str) -> set[str]:
    """The words the intent's own sentences write as literal text (expansion rules not followed)."""
    return {
        word
        for sentence in _sentences(matcher, skill, intent)
        for expr in walk(sentence)
        if isinstance(expr, Text)
        for word in normalize(expr.text).split()
    }


def _word_starts(words: str) -> Iterator[int]:
    yield 0
    yield from (at + 1 for at, char in enumerate(words) if char == " ")


_ANY = "*"
"""A word a template does not fix: a list's value, a rule's words, a permutation's next item."""


def _followers(matcher: Matcher, skill: str, intent: str) -> dict[str, set[str]]:
    """Per slot, the words the intent's sentences write right after it ("" where a sentence may end)."""
    found: dict[str, set[str]] = {}
    for sentence in _sentences(matcher, skill, intent):
        _first_words(sentence, frozenset({""}), found)
    return found


def _first_words(expr: Expr, after: frozenset[str], found: dict[str, set[str]]) -> frozenset[str]:
    """The words ``expr`` can start with when ``after`` follows it; records each slot's followers."""
    if isinstance(expr, Text):
        words = normalize(expr.text).split()
        return frozenset(words[:1]) if words else after
    if isinstance(expr, Seq):
        for item in reversed(expr.items):
            after = _first_words(item, after, found)
        return after
    if isinstance(expr, Alt):
        firsts = [_first_words(item, after, found) for item in expr.items]
        return frozenset().union(*firsts, after if expr.optional else ())
    if isinstance(expr, ListRef):
        found.setdefault(expr.slot_name, set()).update(after)
    for item in getattr(expr, "items", ()):  # a permutation: its items in any order
        _first_words(item, frozenset({_ANY}), found)
    return frozenset({_ANY})


def _quantity_of_another(value: Any, next_word: str, followers: set[str]) -> bool:
    """Whether a number counts ``next_word`` rather than filling the slot: the intent's sentences never
    write that word after the slot ("twee stoelen" to "een tafel voor {number} personen")."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and _ANY not in followers and next_word not in followers


def _next_word(words: str, at: int) -> str:
    return next(iter(words[at:].split()), "")
