"""The interaction model of ``voice export alexa``: intents, sample utterances and slot types.

Sample utterances are the router's own sample sentences with slots as ``{slot}``, digits spelled out.
The ones Alexa would refuse (``AMAZON.SearchQuery`` without a carrier phrase, duplicates) are left out
rather than rewritten. A sample whose words alone are a yes or a no ("no {date}", the booking's
correction) is left out too: Alexa would send a bare "no" as that intent instead of AMAZON.NoIntent.
Alexa's built-ins that the channel reads as the dialog's (``ALEXA_INTENTS``: stop, cancel, help, yes,
no, repeat, start over) get its sentences as samples, so "no thanks" and "that's all" reach
AMAZON.StopIntent rather than AMAZON.NoIntent or the fallback. The dialog's own intents that Alexa has
no built-in for (asking for a person, greeting, thanks, "do you speak English?") are custom intents,
SpeakLanguage's ``{language}`` with a custom slot type of the built-in list (``VoiceLanguageType``). A
skill with content gets the ``Question`` intent, which carries free speech to its knowledge base
(``alexa_question``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from ..builtins import ALEXA_INTENTS, YES_OR_NO, builtin_intents, builtin_languages
from ..nlu import IntentSet, Matcher, SlotSpec
from ..platform_contexts import fixed_intent
from ..skill import Skill
from .alexa_dialog import dialog_model
from .alexa_question import question_intent
from .alexa_rules import REQUIRED_INTENTS, SEARCH_QUERY, SLOT_REFERENCE, clean_utterance
from .common import (
    FRAMEWORK_LISTS,
    ListEntry,
    SkillIntent,
    TemplateSentence,
    builtins_of,
    distinct_sentences,
    framework_intents,
    list_entries,
    platform_type,
    skill_intents,
    slot_list,
    value_kind,
)

__all__ = ["MAX_SAMPLES_PER_INTENT", "MAX_SLOT_SAMPLES", "interaction_model"]

_LOGGER = logging.getLogger(__name__)

MAX_SAMPLES_PER_INTENT = 200
MAX_SLOT_SAMPLES = 40
_ALEXA_ID = re.compile(r"[A-Za-z0-9_]+")
"""Slot value ids kept as written: Amazon's examples use only these characters (``SONG``)."""


def interaction_model(skill: Skill, language: str, invocation: str) -> dict[str, Any]:
    """The interaction model JSON: language model, dialog model and prompts."""
    intents = skill_intents(skill, language)
    intent_set = skill.intents(language)
    types = _slot_types(intent_set, intents)
    slot_types = {intent.name: _slot_type_map(intent_set, intent) for intent in intents}
    taken: set[str] = set()
    shadows = _shadows_yes_no(language)
    parts = [(intent, part) for intent in intents for part in _by_fixed(intent)]
    found = [_intent(part, slot_types[intent.name], taken, shadows) for intent, part in parts]
    framework, framework_types = _framework_intents(language, taken, shadows)
    found += framework
    types += framework_types
    question = question_intent(skill, language, taken)
    found += ([question] if question else []) + _required_intents(language, taken)
    language_model = {"invocationName": invocation, "intents": found, "types": types}
    dialog, prompts = dialog_model(skill, language, tuple(part for _, part in parts), slot_types)
    return {"interactionModel": {"languageModel": language_model, "dialog": dialog, "prompts": prompts}}


def _framework_intents(
    language: str, taken: set[str], shadows: Callable[[str], bool]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The dialog's own intents (``framework_intents``) with their slots, and the custom slot types of
    their lists, named apart from a skill's (``FRAMEWORK_LISTS``)."""
    intents = framework_intents(language)
    if not intents:  # a language without built-in intents: the export warns
        return [], []
    intent_set = builtin_intents(language)
    found = [
        _intent(part, _slot_type_map(intent_set, intent, FRAMEWORK_LISTS), taken, shadows)
        for intent in intents
        for part in _by_fixed(intent)
    ]
    return found, _slot_types(intent_set, intents, FRAMEWORK_LISTS)


def _required_intents(language: str, taken: set[str]) -> list[dict[str, Any]]:
    """Alexa's built-ins; each that the channel reads as one of the dialog's built-in intents gets the
    sentences that the built-in intents themselves take for that one as samples: our goodbyes ("no
    thanks", "that's all") then reach AMAZON.StopIntent, not NoIntent or the fallback, and a locale's
    "nee" or "ja" reaches NoIntent or YesIntent even where a simulator knows only English. Only the first
    Alexa intent of a built-in gets them (StopIntent; NavigateHomeIntent is Stop too): a sample is
    Alexa's for one intent."""
    amazon: dict[str, str] = {}
    for platform, ours in ALEXA_INTENTS.items():
        amazon.setdefault(ours, platform)
    said_as = _said_as(language)
    extended = {
        amazon[intent.name]: _intent(intent, {}, taken, _not_said_as(said_as, intent.name))["samples"]
        for intent in builtins_of(language, amazon)
    }
    return [{"name": name, "samples": extended.get(name, [])} for name in REQUIRED_INTENTS]


def _not_said_as(said_as: Callable[[str], str | None], intent: str) -> Callable[[str], bool]:
    """Whether a sample's words are something else than ``intent`` to the built-in intents ("okay
    thanks" is a yes's sentence, but thanks)."""
    return lambda sample: said_as(sample) != intent


def _slot_type_map(intent_set: IntentSet, intent: SkillIntent, prefix: str = "") -> dict[str, str]:
    """Slot name -> Alexa slot type for one intent; ``prefix`` goes before the names of its lists."""
    return {spec.name: _slot_type(intent_set, spec, prefix) for spec in intent.slots}


def _slot_type(intent_set: IntentSet, spec: SlotSpec, prefix: str) -> str:
    kind = value_kind(intent_set, spec)
    if kind == "values":
        return _custom_type_name(prefix + spec.list_name)
    found = platform_type(kind)
    return SEARCH_QUERY if found is None else found.alexa  # wildcards and runtime lists: any words


def _custom_type_name(list_name: str) -> str:
    """``order_number`` -> ``OrderNumberType``: Alexa type names are letters and underscores."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z]+", list_name) if part) + "Type"


def _slot_types(
    intent_set: IntentSet, intents: tuple[SkillIntent, ...], prefix: str = ""
) -> list[dict[str, Any]]:
    """Custom slot types from the value lists the intents use: values with ids and synonyms."""
    types: dict[str, list[dict[str, Any]]] = {}
    for spec in (spec for intent in intents for spec in intent.slots):
        if value_kind(intent_set, spec) != "values":
            continue
        values = []
        for entry in list_entries(slot_list(intent_set, spec)):
            synonyms = [s for s in map(clean_utterance, entry.synonyms) if s]
            value: dict[str, Any] = {"name": {"value": entry.value, "synonyms": synonyms}}
            values.append({"id": _value_id(entry), **value})
        types.setdefault(_custom_type_name(prefix + spec.list_name), values)
    return [{"name": name, "values": values} for name, values in types.items()]


def _value_id(entry: ListEntry) -> str:
    """The list's id as written, so entity resolution sends back the id typed chat gives. A value
    without one, or an id Alexa may not take (spaces), gets one made of the value; the webhook
    reads those back by the value's name (``voice.slot_values``)."""
    if entry.id is not None and _ALEXA_ID.fullmatch(entry.id):
        return entry.id
    return re.sub(r"[^A-Za-z0-9_]+", "_", entry.id or entry.value).strip("_").upper() or "VALUE"


def _by_fixed(intent: SkillIntent) -> tuple[SkillIntent, ...]:
    """The intent with the sentences of blocks without fixed ``slots:``, then one Alexa intent per block
    with them (``SpeakLanguage__language_nl``), which the channel reads back as the intent and the block
    whose values the dialog adds (``voice.platform_contexts``): Alexa cannot send a value nobody said.
    An intent whose every block fixes slots has no sentences of its own left: no intent without samples."""
    tags = dict.fromkeys(sentence.fixed for sentence in intent.sentences if sentence.fixed)
    plain = tuple(sentence for sentence in intent.sentences if not sentence.fixed)
    parts = [replace(intent, sentences=plain)] if plain or not tags else []
    for tag in tags:
        sentences = tuple(sentence for sentence in intent.sentences if sentence.fixed == tag)
        parts.append(replace(intent, name=fixed_intent(intent.name, tag), sentences=sentences))
    return tuple(parts)


def _intent(
    intent: SkillIntent, slot_types: dict[str, str], taken: set[str], shadows: Callable[[str], bool]
) -> dict[str, Any]:
    """One intent: slots with their types and up to ``MAX_SAMPLES_PER_INTENT`` samples Alexa accepts.

    A flow's bare answers ("{date}", "{topic}": ``TemplateSentence.in_flow`` with no carrier words) are
    only the slots' samples, which Alexa uses while it elicits that slot: as the intent's, "tomorrow" said
    anywhere would start the flow. An answer with words of its own ("my name is {name}") is no catch-all
    and stays an intent sample too."""
    samples: list[str] = []
    for sentence in intent.sentences:
        bare = sentence.in_flow and not sentence.carrier
        sample = None if bare else _sample(sentence, slot_types)
        if sample is None or shadows(sample):
            continue
        if sample not in taken and len(samples) < MAX_SAMPLES_PER_INTENT:
            taken.add(sample)
            samples.append(sample)
    slots = [
        {"name": name, "type": kind, "samples": _slot_samples(intent, name, kind, shadows)}
        for name, kind in slot_types.items()
    ]
    dropped = distinct_sentences(intent.sentences) - len(samples)
    if dropped:
        _LOGGER.info(
            "intent %s: %d sentences left out (alike once slots are {slot}, refused, or over the cap)",
            intent.name,
            dropped,
        )
    return {"name": intent.name, "slots": slots, "samples": samples}


def _sample(sentence: TemplateSentence, slot_types: dict[str, str]) -> str | None:
    """The sentence as an Alexa sample, or None when Alexa would refuse it."""
    names = sentence.slot_names
    if any(slot_types.get(name) == SEARCH_QUERY for name in names) and (
        len(names) > 1 or not sentence.carrier
    ):
        return None
    return clean_utterance(sentence.with_slots())


def _slot_samples(intent: SkillIntent, name: str, kind: str, shadows: Callable[[str], bool]) -> list[str]:
    """What a caller says when asked for this slot alone: the intent's sentences with only this slot."""
    found: dict[str, None] = {}
    for sentence in intent.sentences:
        if sentence.slot_names == (name,) and (sentence.carrier or kind != SEARCH_QUERY):
            sample = clean_utterance(sentence.with_slots())
            if sample is not None and not shadows(sample):
                found[sample] = None
    return list(found)[:MAX_SLOT_SAMPLES]


def _shadows_yes_no(language: str) -> Callable[[str], bool]:
    """Whether a sample's words without its slots are a yes or a no to the built-in intents
    ("no {date}" is; "no, make it {date}" and "ok thanks" are not)."""
    said_as = _said_as(language)
    return lambda sample: said_as(sample) in YES_OR_NO


@cache
def _said_as(language: str) -> Callable[[str], str | None]:
    """The built-in intent a sample's words without its slots are, if any (none for a language
    the framework has no built-in intents in)."""
    if language not in builtin_languages():
        return lambda sample: None
    matcher = Matcher([builtin_intents(language)])

    def said_as(sample: str) -> str | None:
        words = " ".join(SLOT_REFERENCE.sub(" ", sample).split())
        found = matcher.match(words, fuzzy=False) if words else None
        return found.intent if found is not None else None

    return said_as
