"""What both exports read from a skill: sample sentences with slot spans, slot types and list entries.

The Alexa interaction model and the Dialogflow agent are two spellings of the same facts: which
intents a skill has, which sentences say them, which slots they fill and what the values of a
slot list are called. Those facts are gathered here once, from the compiled templates, so the
exports never re-parse YAML and never disagree with the router.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..builtins import BUILTIN, SPEAK_LANGUAGE, WAIT, builtin_intents, builtin_languages
from ..errors import VoiceError
from ..nlu import IntentData, IntentSet, Matcher, Sample, SlotSpec, SlotType, find_slot_type, sample_sentences
from ..nlu.context import Requires, required_contexts
from ..nlu.entries import ListEntry, list_entries
from ..nlu.numbers import number_words
from ..nlu.slots import SlotList
from ..platform_contexts import fixed_tag
from ..skill import Skill

__all__ = [
    "FRAMEWORK_INTENTS",
    "FRAMEWORK_LISTS",
    "ExportError",
    "ListEntry",
    "Said",
    "SkillIntent",
    "TemplateSentence",
    "builtins_of",
    "distinct_sentences",
    "list_entries",
    "platform_type",
    "skill_intents",
    "slot_list",
    "value_kind",
]

SAMPLES_PER_TEMPLATE = 40
"""Random walks per template; the exports cap the total per intent themselves."""
FRAMEWORK_INTENTS = ("TalkToAgent", "Greeting", "Thanks", WAIT, SPEAK_LANGUAGE)
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

    fixed: str = ""
    """Its block's fixed ``slots:`` as ``fixed_tag`` names them: no platform can send them, so the
    sentence goes to an intent of that name, which the dialog reads back (``Turn.said_with``)."""

    @classmethod
    def of(
        cls, sample: Sample, language: str, said: Said = ((), ""), excludes: tuple[str, ...] = ()
    ) -> TemplateSentence:
        """Split a sample at its slots; digits in the literal words are spelled out (Alexa refuses them)."""
        parts: list[tuple[str, str | None]] = []
        position = 0
        for slot in sorted(sample.slots, key=lambda s: s.start):
            if slot.start > position:
                parts.append((_spelled(sample.text[position : slot.start], language), None))
            parts.append((sample.text[slot.start : slot.end], slot.name))
            position = slot.end
        if position < len(sample.text):
            parts.append((_spelled(sample.text[position:], language), None))
        return cls(tuple(parts), sample.template, said[0], excludes, said[1])

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


def skill_intents(skill: Skill, language: str) -> tuple[SkillIntent, ...]:
    """The skill's intents in ``language`` with up to ``SAMPLES_PER_TEMPLATE`` sentences per template."""
    if language not in skill.languages:
        raise ExportError(
            f"skill {skill.name!r} has no {language!r} templates; it has {', '.join(skill.languages)}."
        )
    return _intents_of(skill.intents(language), skill.name, language, None)


def framework_intents(language: str) -> tuple[SkillIntent, ...]:
    """The dialog's own intents that platforms have no built-in for (asking for a person, greeting,
    thanks, filler such as "hold on", which language the line speaks), so the platform can recognise
    them instead of sending a fallback or filling a free-text slot with them (none for a language the
    framework has no built-in intents in: the export warns of it)."""
    return builtins_of(language, FRAMEWORK_INTENTS)


def builtins_of(language: str, names: Iterable[str]) -> tuple[SkillIntent, ...]:
    """The dialog's built-in intents of those ``names`` it has, with their sentences in ``language``
    (none for a language it lacks)."""
    if language not in builtin_languages():
        return ()
    return _intents_of(builtin_intents(language), BUILTIN, language, tuple(names))


def _intents_of(
    intent_set: IntentSet, skill: str, language: str, names: tuple[str, ...] | None
) -> tuple[SkillIntent, ...]:
    matcher = Matcher([intent_set])
    found = []
    for name, intent in intent_set.intents.items():
        if names is not None and name not in names:
            continue
        samples = sample_sentences(matcher, name, limit=SAMPLES_PER_TEMPLATE, skill=skill)
        requires = _requires(intent.data)
        sentences = _interleaved(
            TemplateSentence.of(sample, language, said, excludes)
            for sample in samples
            for said, excludes in requires.get(sample.template, {_ANYWHERE: ()}).items()
        )
        slots = tuple(spec for spec in intent.slot_specs(intent_set) if spec.kind != "fixed")
        found.append(SkillIntent(name, slots, sentences))
    return tuple(found)


Said = tuple[Requires, str]
"""Where a sentence is said: the intent context its block requires, and its block's ``fixed_tag``."""
_ANYWHERE: Said = ((), "")


def _requires(blocks: Iterable[IntentData]) -> dict[str, dict[Said, tuple[str, ...]]]:
    """Template text -> the intent contexts its blocks require (``required_contexts``) with their fixed
    slots' tag, each with the keys its block's ``excludes_context`` rules out there (none where another
    block says it without them). A template also in a block without ``requires_context`` or fixed slots
    is said anywhere."""
    found: dict[str, dict[Said, tuple[str, ...]]] = {}
    for block in blocks:
        excluded = tuple(block.excludes_context)
        fixed = fixed_tag(block.slots)
        for template in block.templates:
            said = found.setdefault(template.text, {})
            for context in required_contexts(block.requires_context):
                said[(context, fixed)] = excluded if said.get((context, fixed), excluded) else ()
            if _ANYWHERE in said:
                found[template.text] = {_ANYWHERE: said[_ANYWHERE]}
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


def value_kind(intent_set: IntentSet, spec: SlotSpec) -> str:
    """The slot's kind for an export: a value list that is empty until runtime counts as ``runtime``."""
    if spec.kind == "values" and not list_entries(slot_list(intent_set, spec)):
        return "runtime"
    return spec.kind


def platform_type(kind: str) -> SlotType | None:
    """The slot type whose platform types a slot of this kind is exported with (a range is a number)."""
    return find_slot_type("number" if kind == "range" else kind)


def distinct_sentences(sentences: Iterable[TemplateSentence]) -> int:
    """How many sentences these are, each once: a block that allows several context values gives a copy
    for each (``TemplateSentence.requires``), which the export logs count as one sentence."""
    return len({(sentence.template, sentence.parts) for sentence in sentences})
