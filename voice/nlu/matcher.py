"""The router's entry point: compiled templates of one or more skills, one language.

``Matcher`` compiles every template once. ``match_all`` normalises the utterance,
asks the pre-filter for the few templates that could match, walks their graphs
and ranks the results the way hassil does (fewer wildcards, more literal text,
less wildcard text, then intent name). Bad input -- not a string, empty, longer
than ``max_chars`` -- is "no match", never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .compile import Entry, compile_sets
from .context import copied_slots, excludes_ok, may_satisfy, offered_context, requires_ok
from .errors import TemplateError
from .fuzzy import DEFAULT_THRESHOLD, Corrector
from .graph import PREFERRED_WEIGHT, Capture, Run
from .intents import IntentData, IntentSet
from .list_lookup import ListLookup
from .lists import CAPTURE, WILDCARD, ListMatcher
from .needles import Haystack
from .normalize import Utterance
from .scope import ListKey
from .slots import ListValue, ValueList
from .types import IntentMatch, SlotValue
from .utterance_runs import UtteranceRuns

__all__ = ["Matcher"]

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Found:
    """A template that matched, before it becomes an IntentMatch."""

    cost: int
    entry: Entry
    run: Run
    captures: tuple[Capture, ...]
    context: Mapping[str, Any]

    @property
    def rank(self) -> tuple[int, str, int]:
        return self.cost, self.entry.intent, self.entry.number

    def rank_answering(self, asked: str | None) -> tuple[int, int, str, int]:
        """The rank among an intent's readings while a flow asks for slot ``asked``: a reading that fills
        it comes first ("12-12" asked for a date is the date, not the time 12:12). Not so when it fills it
        with any words (a wildcard, such as a name): a reading without any words, all of whose slots are
        typed, comes before it; "nee, om elf uur" asked for a name corrects the time, and is no name."""
        kinds = [capture[5] for capture in self.captures if capture[0] == asked]
        if asked is None or (kinds and WILDCARD not in kinds):
            tier = _FILLS_ASKED
        elif all(capture[5] != WILDCARD for capture in self.captures):
            tier = _TYPED
        else:
            tier = _ANY_WORDS if kinds else _MISSES
        return (tier, *self.rank)


_FILLS_ASKED, _TYPED, _ANY_WORDS, _MISSES = range(4)
"""The tiers of ``_Found.rank_answering``, best first."""


class Matcher:
    """Templates of one or more skills for one language, compiled into a fast matcher."""

    def __init__(
        self,
        intent_sets: Iterable[IntentSet],
        *,
        fuzzy_threshold: float | None = None,
        max_chars: int = 500,
        best_slot: str | None = None,
    ) -> None:
        """Compile ``intent_sets`` (one per skill, same language).

        ``fuzzy_threshold`` (rapidfuzz ratio, 0-100) turns the fuzzy pass on by default;
        ``max_chars`` bounds the input length (longer input is "no match"); ``best_slot``
        prefers matches that fill that slot from a list, the longest filling first
        (hassil's ``best_slot_name``; Home Assistant uses "name").
        """
        self.best_slot = best_slot
        self.sets = tuple(intent_sets)
        languages = {intent_set.language for intent_set in self.sets}
        if len(languages) > 1:
            raise TemplateError(f"one matcher serves one language, got {sorted(languages)}")
        self.language = languages.pop() if languages else "en"
        self.fuzzy_threshold = fuzzy_threshold
        self.max_chars = max_chars
        self._lists: dict[ListKey, ListMatcher] = {}
        self._spaced = not any(intent_set.ignore_whitespace for intent_set in self.sets)
        self._entries, self._index, self._compiler = compile_sets(list(self.sets), self._lists, self.language)
        self._skip_sets = tuple({entry.skip_words for entry in self._entries if entry.skip_words})
        self._corrector: Corrector | None = None
        self._provided: frozenset[str] | None = None
        self._offering: tuple[ListMatcher, ...] | None = None
        self._lookup = ListLookup(self._entries, self._lists, self.language, spaced=self._spaced)

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every compiled template, in matching order (used by the checker and sampler)."""
        return tuple(self._entries)

    def set_list(
        self,
        name: str,
        values: Iterable[str | Mapping[str, Any] | tuple[Any, ...] | ListValue],
        *,
        skill: str | None = None,
    ) -> None:
        """Replace the values of list ``name`` (for ``skill``, or every skill) without recompiling."""
        compiled = self._compiler.compile_list(ValueList.of(name, values))
        scopes = {"runtime"} if skill is None else set()
        scopes |= {f"skill:{s.skill}" for s in self.sets if name in s.lists and skill in (None, s.skill)}
        if skill is not None and not scopes:
            scopes.add("runtime")
        for scope in scopes:
            self._lists[(scope, name)] = compiled
        self._corrector = None
        self._provided = None
        self._offering = None

    def list_value(
        self, skill: str, name: str, text: object, *, intent: str | None = None
    ) -> SlotValue | None:
        """The value of ``skill``'s value list ``name`` that all of ``text`` says, or None.

        A platform that could not resolve a list slot sends the caller's words (Alexa without entity
        resolution); they are read by the same compiled list a template's ``{name}`` uses (normalised,
        every way to say a value, values set at run time), so a channel reads them as typed chat does.
        With the ``intent`` they fill, a value whose own ``context`` every data block of it that uses
        the list rules out (its ``requires_context`` / ``excludes_context``) is not one, as in a match:
        "ventilator" (``domain: fan``) is no light for an intent that requires ``domain: light``.
        """
        if not isinstance(text, str) or len(text) > self.max_chars:
            return None
        return self._lookup.value(skill, name, text, intent=intent)

    def match(
        self,
        text: object,
        *,
        context: Mapping[str, Any] | None = None,
        fuzzy: bool | None = None,
        now: Any = None,
    ) -> IntentMatch | None:
        """The best match for ``text``, or None."""
        found = self.match_all(text, context=context, limit=1, fuzzy=fuzzy, now=now)
        return found[0] if found else None

    def match_all(
        self,
        text: object,
        *,
        context: Mapping[str, Any] | None = None,
        limit: int | None = None,
        fuzzy: bool | None = None,
        now: Any = None,
    ) -> tuple[IntentMatch, ...]:
        """Every matching intent, best first (one match per skill and intent)."""
        if not isinstance(text, str) or not text.strip() or len(text) > self.max_chars:
            return ()
        context = dict(context or {})
        utterance = Utterance.of(text)
        found = self._search(utterance, context, now)
        if found or not self._fuzzy_enabled(fuzzy):
            return self._matches(found, limit, 1.0)
        corrected = self.corrector().correct(utterance)
        _LOGGER.debug("Fuzzy pass: %r -> %r", utterance.folded, corrected and corrected.utterance.folded)
        if corrected is None:
            return ()
        return self._matches(self._search(corrected.utterance, context, now), limit, corrected.score)

    def corrector(self) -> Corrector:
        """The fuzzy corrector over every word the templates and lists can match."""
        if self._corrector is None:
            self._corrector = Corrector.of(
                (entry.graph for entry in self._entries),
                self._lists.values(),
                self.fuzzy_threshold or DEFAULT_THRESHOLD,
            )
        return self._corrector

    def _fuzzy_enabled(self, fuzzy: bool | None) -> bool:
        return self.fuzzy_threshold is not None if fuzzy is None else fuzzy

    def _search(self, utterance: Utterance, context: dict[str, Any], now: Any) -> list[_Found]:
        if not utterance.folded:
            return []
        texts = UtteranceRuns(utterance, self.language, now, self.best_slot, self._spaced)
        haystack = Haystack.of(texts.variants(self._skip_sets))
        best: dict[tuple[str, str], _Found] = {}
        allowed: dict[int, bool] = {}
        offered = _Offered(self._offering_lists(), haystack)
        asked = context.get("asking")
        for number in self._index.candidates(haystack, self._presence(haystack)):
            entry = self._entries[number]
            block_ok = allowed.get(id(entry.block))
            if block_ok is None:
                block_ok = allowed[id(entry.block)] = self._block_allows(entry.block, context, offered)
            if not block_ok:
                continue
            found = _best_of(entry, texts.runs(entry), context)
            key = (entry.skill, entry.intent)
            if found is not None and (
                key not in best or found.rank_answering(asked) < best[key].rank_answering(asked)
            ):
                best[key] = found
        return sorted(best.values(), key=lambda item: item.rank)

    def _presence(self, haystack: Haystack) -> Callable[[Any, int], bool]:
        """Pre-filter answer for list atoms: can a value of this list occur in the utterance?

        Answers are kept for this utterance by list key and by the list's presence key, so
        lists that answer alike (the many 0-100 ranges) search the text once.
        """
        lists = self._lists
        seen: tuple[dict[Any, bool], ...] = ({}, {}, {})
        shared: tuple[dict[Hashable, bool], ...] = ({}, {}, {})

        def present(key: Any, where: int) -> bool:
            known = seen[where].get(key)
            if known is None:
                matcher = lists.get(key)
                if matcher is None:
                    known = False
                else:
                    answers = shared[where]
                    presence = matcher.presence_key()
                    known = answers.get(presence)
                    if known is None:
                        known = answers[presence] = matcher.present(haystack, where)
                seen[where][key] = known
            return known

        return present

    def _block_allows(self, block: IntentData, context: Mapping[str, Any], offered: _Offered) -> bool:
        """False if the block's context rules rule it out before matching.

        A required key the caller's context lacks must come from a list value that
        occurs in the utterance (a device name brings its domain).
        """
        required = block.requires_context
        if any(key not in context and key not in self._context_keys() for key in required):
            return False
        if context and not (
            requires_ok(required, context, allow_missing=True)
            and excludes_ok(block.excludes_context, context)
        ):
            return False
        if all(key in context for key in required):
            return True
        return may_satisfy(required, context, offered.get())

    def _offering_lists(self) -> tuple[ListMatcher, ...]:
        """The lists with values that carry context: the others offer none, so are not searched."""
        if self._offering is None:
            self._offering = tuple(matcher for matcher in self._lists.values() if matcher.context_keys())
        return self._offering

    def _context_keys(self) -> frozenset[str]:
        if self._provided is None:
            self._provided = frozenset().union(*(matcher.context_keys() for matcher in self._lists.values()))
        return self._provided

    def _matches(self, found: list[_Found], limit: int | None, score: float) -> tuple[IntentMatch, ...]:
        return tuple(_to_match(item, score) for item in found[:limit])


class _Offered:
    """The context values that list values occurring in the utterance could add, found on first use."""

    def __init__(self, lists: Iterable[ListMatcher], haystack: Haystack) -> None:
        self._lists = lists
        self._haystack = haystack
        self._found: dict[str, list[Any]] | None = None

    def get(self) -> dict[str, list[Any]]:
        if self._found is None:
            haystack = self._haystack  # it has "-" and "_" read as spaces, too: "living-room" offers
            contexts = (context for matcher in self._lists for context in matcher.offered(haystack))
            self._found = offered_context(contexts)
        return self._found


def _best_of(entry: Entry, runs: list[Run], context: Mapping[str, Any]) -> _Found | None:
    best: _Found | None = None
    for run in runs:
        result = entry.best(run)
        if result is None:
            continue
        if run.best_slot in entry.block.slots and all(capture[0] != run.best_slot for capture in result[1]):
            result = (result[0] - PREFERRED_WEIGHT, result[1])  # hassil counts a fixed slot as filled, too
        if best is not None and result[0] >= best.cost:
            continue
        merged = _merged_context(context, result[1])
        block = entry.block
        if excludes_ok(block.excludes_context, merged) and requires_ok(block.requires_context, merged):
            best = _Found(result[0], entry, run, result[1], merged)
    return best


def _merged_context(context: Mapping[str, Any], captures: tuple[Capture, ...]) -> dict[str, Any]:
    merged = dict(context)
    for capture in captures:
        listed = capture[4]
        if listed is not None and listed.context:
            merged.update(listed.context)
    return merged


def _to_match(found: _Found, score: float) -> IntentMatch:
    entry, block, run = found.entry, found.entry.block, found.run
    slots: dict[str, SlotValue] = {}
    for name, start, end, value, listed, kind in found.captures:
        if kind != CAPTURE:
            slots[name] = SlotValue(
                text=run.text[start:end].strip(),
                value=value,
                id=None if listed is None else listed.id,
                span=(start, end),
            )
    spoken = set(slots)
    for name, value in block.slots.items():
        slots.setdefault(name, SlotValue(text="", value=value))
    filled = copied_slots(slots, block.requires_context, found.context, spoken)
    return IntentMatch(
        intent=entry.intent,
        slots=MappingProxyType(filled),
        score=score,
        skill=entry.skill,
        template=entry.template.text,
        text=run.text.strip(),
        response=block.response,
        metadata=block.metadata,
        context=MappingProxyType(dict(found.context)),
    )
