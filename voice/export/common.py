"""What both exports read from a skill: sample sentences with slot spans, slot types and list entries.

The Alexa interaction model and the Dialogflow agent are two spellings of the same facts: which
intents a skill has, which sentences say them, which slots they fill and what the values of a
slot list are called. Those facts are gathered here once, from the compiled templates, so the
exports never re-parse YAML and never disagree with the router.

A sentence whose block fixes a slot (``slots: {language: en}``) and names that value itself ("do you
speak english" on the Dutch line) carries the slot over those words, so the platform sends the value the
router would set: a platform cannot fix a value per sample. The built-in intents name a language in
another language's words, so their lists' values also go by the names the other built-in languages give
them where a sentence uses one (``SkillIntent.names``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..builtins import BUILTIN, SPEAK_LANGUAGE, builtin_intents, builtin_languages
from ..errors import VoiceError
from ..nlu import IntentData, IntentSet, Matcher, Sample, SlotSpec, SlotType, find_slot_type, sample_sentences
from ..nlu.context import Requires, required_contexts
from ..nlu.entries import ListEntry, canonical, expansions, list_entries
from ..nlu.numbers import number_words
from ..nlu.slots import SlotList, ValueList
from ..skill import Skill

__all__ = [
    "FRAMEWORK_INTENTS",
    "FRAMEWORK_LISTS",
    "ExportError",
    "ListEntry",
    "Requires",
    "SkillIntent",
    "TemplateSentence",
    "builtins_of",
    "expansions",
    "list_entries",
    "platform_type",
    "skill_intents",
    "slot_entries",
    "slot_list",
    "value_kind",
]

SAMPLES_PER_TEMPLATE = 40
"""Random walks per template; the exports cap the total per intent themselves."""
FRAMEWORK_INTENTS = ("TalkToAgent", "Greeting", "Thanks", SPEAK_LANGUAGE)
"""The dialog's built-in intents that Alexa has no built-in for; exports carry them as custom intents."""
FRAMEWORK_LISTS = "voice_"
"""Put before the name of a built-in intent's list (SpeakLanguage's ``language``) where an export names
its slot type or entity (``VoiceLanguageType``, ``@voice_language``): a skill's own list of that name
may hold other values."""
_SPACES = re.compile(r"\s+")


class ExportError(VoiceError):
    """A skill cannot be exported: an unknown skill language, locale or an invalid model."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class TemplateSentence:
    """A sample sentence as literal and slot parts: ``("are you open ", None), ("monday", "day")``."""

    parts: tuple[tuple[str, str | None], ...]
    template: str
    """The template the sentence was sampled from."""

    requires: Requires = ()
    """The intent context its template's block requires (``{dialog: OrderCake}``: said only in that flow),
    one value per key; a block that allows several values gives a sentence for each."""

    excludes: tuple[str, ...] = ()
    """The keys of the intent context its block's ``excludes_context`` rules out: no platform can say
    "not in this context", so each export decides what to do with such a sentence (exports.md)."""

    @classmethod
    def of(
        cls,
        sample: Sample,
        language: str,
        requires: Requires = (),
        excludes: tuple[str, ...] = (),
        named: Mapping[str, Iterable[str]] | None = None,
    ) -> TemplateSentence:
        """Split a sample at its slots, and at the words that name a value its block fixes (``named``:
        slot -> the value's names); digits in the literal words are spelled out (Alexa refuses them)."""
        spans = [(slot.start, slot.end, slot.name) for slot in sample.slots]
        for name, words in (named or {}).items():
            found = _named_span(sample.text, words, spans)
            if found is not None and name not in {taken for _, _, taken in spans}:
                spans.append((*found, name))
        parts: list[tuple[str, str | None]] = []
        position = 0
        for start, end, name in sorted(spans):
            if start > position:
                parts.append((_spelled(sample.text[position:start], language), None))
            parts.append((sample.text[start:end], name))
            position = end
        if position < len(sample.text):
            parts.append((_spelled(sample.text[position:], language), None))
        return cls(tuple(parts), sample.template, requires, excludes)

    @property
    def slot_names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.parts if name is not None)

    @property
    def in_flow(self) -> bool:
        """Said only while a flow runs: an answer to its question ("zoë", "morgen"), no request."""
        return any(key == "dialog" for key, _ in self.requires)

    @property
    def carrier(self) -> str:
        """The literal words around the slots (Alexa's "carrier phrase")."""
        return " ".join(text.strip() for text, name in self.parts if name is None).strip()

    def with_slots(self) -> str:
        """The sentence with every slot written as ``{day}``, spaces tidied."""
        text = "".join(f"{{{name}}}" if name else words for words, name in self.parts)
        return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class SkillIntent:
    """One intent of a skill in one language: its slots and its sample sentences."""

    name: str
    slots: tuple[SlotSpec, ...]
    sentences: tuple[TemplateSentence, ...]
    names: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Slot -> value -> the words its sentences name a fixed value by ("english" for ``en`` on the Dutch
    line): synonyms of the value where its list lacks them (``slot_entries``)."""


def skill_intents(skill: Skill, language: str) -> tuple[SkillIntent, ...]:
    """The skill's intents in ``language`` with up to ``SAMPLES_PER_TEMPLATE`` sentences per template."""
    if language not in skill.languages:
        raise ExportError(
            f"skill {skill.name!r} has no {language!r} templates; it has {', '.join(skill.languages)}."
        )
    return _intents_of(skill.intents(language), skill.name, language, None, ())


def framework_intents(language: str) -> tuple[SkillIntent, ...]:
    """The dialog's own intents that platforms have no built-in for (asking for a person, greeting,
    thanks, which language the line speaks), so the platform can recognise them instead of sending a
    fallback (none for a language the framework has no built-in intents in: the export warns of it)."""
    return builtins_of(language, FRAMEWORK_INTENTS)


def builtins_of(language: str, names: Iterable[str]) -> tuple[SkillIntent, ...]:
    """The dialog's built-in intents of those ``names`` it has, with their sentences in ``language``
    (none for a language it lacks)."""
    if language not in builtin_languages():
        return ()
    others = tuple(builtin_intents(other) for other in sorted(builtin_languages()) if other != language)
    return _intents_of(builtin_intents(language), BUILTIN, language, tuple(names), others)


def _intents_of(
    intent_set: IntentSet,
    skill: str,
    language: str,
    names: tuple[str, ...] | None,
    elsewhere: tuple[IntentSet, ...],
) -> tuple[SkillIntent, ...]:
    """The intents of ``intent_set`` (those of ``names``, or all); a fixed value is named by its list's
    words here and in ``elsewhere`` (the built-in intents of the other languages)."""
    matcher = Matcher([intent_set])
    found = []
    for name, intent in intent_set.intents.items():
        if names is not None and name not in names:
            continue
        samples = sample_sentences(matcher, name, limit=SAMPLES_PER_TEMPLATE, skill=skill)
        requires = _requires(intent.data)
        slots = tuple(spec for spec in intent.slot_specs(intent_set) if spec.kind != "fixed")
        fixed = _fixed_names(intent.data, slots, (intent_set, *elsewhere))
        sentences = _interleaved(
            TemplateSentence.of(sample, language, context, excludes, fixed.get(sample.template, {}))
            for sample in samples
            for context, excludes in requires.get(sample.template, {(): ()}).items()
        )
        found.append(SkillIntent(name, slots, sentences, _names_said(sentences, fixed, intent.data)))
    return tuple(found)


def _fixed_names(
    blocks: Iterable[IntentData], slots: tuple[SlotSpec, ...], lists: tuple[IntentSet, ...]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Template text -> slot -> the names of the value its block fixes, for the slots exported with a
    value list: longest first, so "english please" is not cut at "english"."""
    listed = {spec.name: spec for spec in slots if spec.kind == "values"}
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for block in blocks:
        named = {
            slot: _value_names(lists, listed[slot], value)
            for slot, value in block.slots.items()
            if slot in listed
        }
        for template in block.templates:
            found[template.text] = {slot: words for slot, words in named.items() if words}
    return found


def _value_names(lists: Iterable[IntentSet], spec: SlotSpec, value: Any) -> tuple[str, ...]:
    """Every way the lists of ``spec`` (in each intent set) say ``value``."""
    words: dict[str, None] = {}
    for intent_set in lists:
        found = slot_list(intent_set, spec)
        for item in found.values if isinstance(found, ValueList) else ():
            if str(value) in (canonical(item), item.id):
                words.update(dict.fromkeys(expansions(item.expr)))
    return tuple(sorted(words, key=len, reverse=True))


def _named_span(text: str, words: Iterable[str], taken: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """Where the first of ``words`` that ``text`` says as a whole word is, outside the ``taken`` spans."""
    for word in words:
        for found in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            if all(found.end() <= start or found.start() >= end for start, end, _ in taken):
                return found.span()
    return None


def _names_said(
    sentences: Iterable[TemplateSentence],
    fixed: Mapping[str, Mapping[str, tuple[str, ...]]],
    blocks: Iterable[IntentData],
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Slot -> fixed value -> the words the sentences name it by."""
    values = {template.text: block.slots for block in blocks for template in block.templates}
    said: dict[str, dict[str, dict[str, None]]] = {}
    for sentence in sentences:
        for words, slot in sentence.parts:
            if slot is not None and slot in fixed.get(sentence.template, {}):
                value = str(values[sentence.template][slot])
                said.setdefault(slot, {}).setdefault(value, {})[words.lower()] = None
    return {slot: {value: tuple(words) for value, words in found.items()} for slot, found in said.items()}


def _requires(blocks: Iterable[IntentData]) -> dict[str, dict[Requires, tuple[str, ...]]]:
    """Template text -> the intent contexts its blocks require (``required_contexts``), each with the keys
    its block's ``excludes_context`` rules out there (none where another block says it without them).
    A template also in a block without ``requires_context`` is said anywhere."""
    found: dict[str, dict[Requires, tuple[str, ...]]] = {}
    for block in blocks:
        excluded = tuple(block.excludes_context)
        for template in block.templates:
            said = found.setdefault(template.text, {})
            for context in required_contexts(block.requires_context):
                said[context] = excluded if said.get(context, excluded) else ()
            if () in said:
                found[template.text] = {(): said[()]}
    return found


def _spelled(text: str, language: str) -> str:
    """Whole numbers in ``text`` as words ("15" -> "fifteen"); left as digits when they cannot be spelled."""

    def words(match: re.Match[str]) -> str:
        spellings = number_words(int(match.group()), language)
        return spellings[0] if spellings else match.group()

    return _DIGITS.sub(words, text)


_DIGITS = re.compile(r"\d+")


def _interleaved(sentences: Iterable[TemplateSentence]) -> tuple[TemplateSentence, ...]:
    """Distinct sentences taking turns by template, so a cap on the count keeps every template."""
    groups: dict[str, list[TemplateSentence]] = {}
    for sentence in dict.fromkeys(sentences):
        groups.setdefault(sentence.template, []).append(sentence)
    rounds = itertools.zip_longest(*groups.values())
    return tuple(sentence for round_ in rounds for sentence in round_ if sentence is not None)


def slot_list(intent_set: IntentSet, spec: SlotSpec) -> SlotList | None:
    """The list behind a slot: the file's lists first, then an intent block's own lists."""
    found = intent_set.lists.get(spec.list_name)
    if found is not None:
        return found
    blocks = (block for intent in intent_set.intents.values() for block in intent.data)
    return next((block.lists[spec.list_name] for block in blocks if spec.list_name in block.lists), None)


def slot_entries(intent_set: IntentSet, spec: SlotSpec, intent: SkillIntent) -> tuple[ListEntry, ...]:
    """The entries of a slot's value list, each also called what ``intent``'s sentences name it
    (``SkillIntent.names``): the platform resolves "english" on the Dutch line to ``en``."""
    names = intent.names.get(spec.name, {})
    return tuple(
        replace(entry, synonyms=tuple(dict.fromkeys((*entry.synonyms, *_names_of(entry, names)))))
        for entry in list_entries(slot_list(intent_set, spec))
    )


def _names_of(entry: ListEntry, names: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The names given to an entry's value, which a block fixes as its ``out`` or its id."""
    return (*names.get(entry.value, ()), *(names.get(entry.id, ()) if entry.id else ()))


def value_kind(intent_set: IntentSet, spec: SlotSpec) -> str:
    """The slot's kind for an export: a value list that is empty until runtime counts as ``runtime``."""
    if spec.kind == "values" and not list_entries(slot_list(intent_set, spec)):
        return "runtime"
    return spec.kind


def platform_type(kind: str) -> SlotType | None:
    """The slot type whose platform types a slot of this kind is exported with (a range is a number)."""
    return find_slot_type("number" if kind == "range" else kind)
