"""``voice export dialogflow``: a Dialogflow ES agent zip built from a skill's templates, for every language.

    agent.json, package.json
    intents/<Intent>.json                  parameters (@sys.date, @sys.any, @<list> ...), webhook on
    intents/<Intent>_usersays_<lang>.json  training phrases, slot words annotated with their entity
    intents/<Intent> - <context>.json      the phrases said only in an intent context (a flow's bare
                                           answers), with that context as input context, or of a block
                                           with fixed slots (``- with language_nl``); a sentence of
                                           a block with rules Dialogflow cannot check (another key than
                                           the dialog's, ``excludes_context``) is left out, logged
    entities/<list>.json                   one custom entity per value list
    entities/<list>_entries_<lang>.json    its values: the list's id (or the value) as reference value,
                                           the canonical value and every way to say it as synonyms

The agent only recognises; every intent calls our webhook, which runs the dialog. The welcome
and fallback intents are included because the channel maps them (launch, re-parse the text), and the
no-input intent, which a gateway's no-input event triggers: the dialog hears silence ("are you still
there?", and after the reprompts the polite close). Of the dialog's built-in intents only SpeakLanguage
is (``AGENT_BUILTINS``), with its list as the entity ``voice_language``; the others reach the router
through the fallback.
Ids are derived from names, so exporting twice gives the same zip. The agent's description is the
default language's ``locales/<lang>/skill.yaml``; a wildcard slot's training words are its list's
``examples:`` (``voice.nlu.sample``).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..builtins import SPEAK_LANGUAGE, builtin_intents
from ..channels.dialogflow import FALLBACK_INTENT, NO_INPUT_EVENTS, NO_INPUT_INTENT, WELCOME_EVENTS
from ..nlu import IntentSet, SlotSpec
from ..nlu.slot_types import DIALOGFLOW_ANY_WORDS
from ..platform_contexts import KEYS, context_intent, context_name
from ..skill import Skill
from .common import (
    FRAMEWORK_LISTS,
    ExportError,
    ListEntry,
    Said,
    SkillIntent,
    TemplateSentence,
    builtins_of,
    distinct_sentences,
    list_entries,
    platform_type,
    skill_intents,
    slot_list,
    value_kind,
)

__all__ = ["MAX_PHRASES_PER_INTENT", "DialogflowAgent", "dialogflow_agent"]

_LOGGER = logging.getLogger(__name__)

MAX_PHRASES_PER_INTENT = 300
MAX_DESCRIPTION_CHARS = 500
"""Dialogflow refuses a longer agent description."""
WELCOME_INTENT = "Default Welcome Intent"
ANY_TEXT = DIALOGFLOW_ANY_WORDS
"""The entity of wildcard and runtime lists."""
EVENTS: Mapping[str, tuple[str, ...]] = {WELCOME_INTENT: WELCOME_EVENTS, NO_INPUT_INTENT: NO_INPUT_EVENTS}
"""The intents that events trigger, with their events."""
AGENT_BUILTINS = (SPEAK_LANGUAGE,)
"""The dialog's built-in intents the agent carries: "do you speak English?" names a language, which the
entity of the built-in list resolves to its code, as on Alexa; left to the agent's matching, a skill's
intent could take the question. The others are only words, which the fallback hands our router."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every zip entry gets this timestamp, so the zip's bytes depend on the skill only."""


@dataclass(frozen=True, slots=True)
class DialogflowAgent:
    """The files of an agent zip, by path inside the zip."""

    files: Mapping[str, Any]

    def write(self, path: Path) -> Path:
        """Write the zip that Dialogflow's "Import from zip" (or ``agents.restore``) takes."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(self.files):
                text = json.dumps(self.files[name], ensure_ascii=False, indent=2)
                archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text)
        return path


def dialogflow_agent(
    skill: Skill, *, languages: tuple[str, ...] | None = None, webhook_url: str = ""
) -> DialogflowAgent:
    """The agent for ``languages`` (every language of the skill by default); the first is its default."""
    chosen = languages or skill.languages
    if not chosen:
        raise ExportError(f"skill {skill.name!r} has no intents.yaml in any language; nothing to export.")
    builder = _Builder(skill)
    for language in chosen:
        builder.add_language(language)
    files: dict[str, Any] = {
        "package.json": {"version": "1.0.0"},
        "agent.json": _agent(skill, chosen, webhook_url),
        **builder.files(),
    }
    return DialogflowAgent(files)


class _Builder:
    """Collects intents, parameters and entities across languages, then writes them as files."""

    def __init__(self, skill: Skill) -> None:
        self.skill = skill
        self.parameters: dict[str, dict[str, str]] = {name: {} for name in (*EVENTS, FALLBACK_INTENT)}
        self.contexts: dict[str, tuple[str, ...]] = {}
        """Display name -> its input contexts (only the intents of phrases said in a context have any)."""
        self.phrases: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.entries: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def add_language(self, language: str) -> None:
        """Each intent's phrases; those said only in an intent context (a flow's bare answers, a follow-up
        after an intent) go to an intent of their own with that context as input context, so out of it
        a bare "@sys.any" phrase does not catch every question (``voice.platform_contexts``)."""
        self._add_intents(self.skill.intents(language), skill_intents(self.skill, language), language)
        # none in a language without them (the export warns), nor one the skill declares itself
        builtins = tuple(
            i for i in builtins_of(language, AGENT_BUILTINS) if (i.name, language) not in self.phrases
        )
        if builtins:
            self._add_intents(builtin_intents(language), builtins, language, FRAMEWORK_LISTS)

    def _add_intents(
        self, intent_set: IntentSet, intents: tuple[SkillIntent, ...], language: str, prefix: str = ""
    ) -> None:
        """``intents`` of ``intent_set`` in ``language``; ``prefix`` goes before the names of its lists."""
        for intent in intents:
            types = {spec.name: self._entity(intent_set, spec, language, prefix) for spec in intent.slots}
            by_context: dict[Said, list[TemplateSentence]] = {((), ""): []}
            left: list[TemplateSentence] = []
            for sentence in intent.sentences:
                if _expressible(sentence):
                    by_context.setdefault((sentence.requires, sentence.fixed), []).append(sentence)
                else:
                    left.append(sentence)
            left_out = distinct_sentences(left)
            if left_out:
                _LOGGER.info(
                    "intent %s (%s): %d sentences left out (context rules Dialogflow cannot check; "
                    "the fallback hands their words to our router)",
                    intent.name,
                    language,
                    left_out,
                )
            for (requires, fixed), sentences in by_context.items():
                name = context_intent(intent.name, requires, fixed)
                self.contexts[name] = tuple(context_name(key, value) for key, value in requires)
                self.parameters.setdefault(name, {}).update(types)
                phrases = [_phrase(s, types, language, self._id) for s in sentences]
                self.phrases[(name, language)] = _capped(phrases, name, language)

    def _entity(self, intent_set: IntentSet, spec: SlotSpec, language: str, prefix: str) -> str:
        """The parameter's entity; a value list becomes a custom entity with this language's entries."""
        kind = value_kind(intent_set, spec)
        if kind != "values":
            found = platform_type(kind)
            return ANY_TEXT if found is None else found.dialogflow
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", prefix + spec.list_name)
        entries = list_entries(slot_list(intent_set, spec))
        self.entries[(name, language)] = [_entry(entry) for entry in entries]
        return f"@{name}"

    def _id(self, *names: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(("voice", self.skill.name, *names))))

    def files(self) -> dict[str, Any]:
        files: dict[str, Any] = {}
        for name, parameters in self.parameters.items():
            files[f"intents/{name}.json"] = self._intent(name, parameters)
        for (name, language), phrases in self.phrases.items():
            files[f"intents/{name}_usersays_{language}.json"] = phrases
        for name, _ in self.entries:
            files[f"entities/{name}.json"] = self._entity_file(name)
        for (name, language), entries in self.entries.items():
            files[f"entities/{name}_entries_{language}.json"] = entries
        return files

    def _intent(self, name: str, parameters: Mapping[str, str]) -> dict[str, Any]:
        response = {
            "resetContexts": False,
            "action": "input.unknown" if name == FALLBACK_INTENT else "",
            "affectedContexts": [],
            "parameters": [
                _parameter(slot, entity, self._id(name, slot)) for slot, entity in parameters.items()
            ],
            "messages": [],
            "speech": [],
        }
        return {
            "id": self._id("intent", name),
            "name": name,
            "auto": True,
            "contexts": list(self.contexts.get(name, ())),
            "responses": [response],
            "priority": 500000,
            "webhookUsed": True,
            "webhookForSlotFilling": False,
            "fallbackIntent": name == FALLBACK_INTENT,
            "events": [{"name": event} for event in EVENTS.get(name, ())],
            "conditionalResponses": [],
            "condition": "",
            "conditionalFollowupEvents": [],
        }

    def _entity_file(self, name: str) -> dict[str, Any]:
        return {
            "id": self._id("entity", name),
            "name": name,
            "isOverridable": True,
            "isEnumeration": False,
            "isRegexp": False,
            "automatedExpansion": False,
            "allowFuzzyExtraction": False,
        }


def _capped(phrases: list[dict[str, Any]], name: str, language: str) -> list[dict[str, Any]]:
    """The first ``MAX_PHRASES_PER_INTENT`` phrases (they take turns by template, so every template keeps
    some); the rest are logged as the Alexa export logs its left-out samples, so a skill author sees them."""
    if len(phrases) > MAX_PHRASES_PER_INTENT:
        _LOGGER.info(
            "intent %s (%s): %d sentences left out (over the cap of %d phrases per intent)",
            name,
            language,
            len(phrases) - MAX_PHRASES_PER_INTENT,
            MAX_PHRASES_PER_INTENT,
        )
    return phrases[:MAX_PHRASES_PER_INTENT]


def _expressible(sentence: TemplateSentence) -> bool:
    """Whether the agent can match ``sentence`` exactly where the router does: its block needs only keys
    the webhook sets as contexts (``KEYS``), and rules none out (Dialogflow has no "not in this context").
    Left out, its words reach the fallback intent, whose text the router reads in the dialog's context,
    list values' contexts (a lamp's ``domain``) and ``excludes_context`` included."""
    return not sentence.excludes and all(key in KEYS for key, _ in sentence.requires)


def _entry(entry: ListEntry) -> dict[str, Any]:
    """One entity entry: the list's id is the reference value Dialogflow sends (the same in every
    language, as typed chat gives it), the canonical value when there is none; the webhook reads the
    list value back from it (``voice.slot_values``)."""
    synonyms = dict.fromkeys((entry.value, *entry.synonyms))
    return {"value": entry.id or entry.value, "synonyms": list(synonyms)}


def _parameter(slot: str, entity: str, ident: str) -> dict[str, Any]:
    """Not required: our webhook asks for missing slots itself, in the dialog's own words."""
    return {
        "id": ident,
        "name": slot,
        "required": False,
        "dataType": entity,
        "value": f"${slot}",
        "defaultValue": "",
        "isList": False,
        "prompts": [],
        "promptMessages": [],
        "noMatchPromptMessages": [],
        "noInputPromptMessages": [],
        "outputDialogContexts": [],
    }


def _phrase(
    sentence: TemplateSentence, entities: Mapping[str, str], language: str, ids: Any
) -> dict[str, Any]:
    """One training phrase: literal parts, and slot words annotated with their entity and parameter."""
    data = []
    for text, slot in sentence.parts:
        if slot is None:
            data.append({"text": text, "userDefined": False})
        else:
            data.append({"text": text, "alias": slot, "meta": entities[slot], "userDefined": True})
    plain = "".join(text for text, _ in sentence.parts)
    return {
        "id": ids("phrase", language, plain),
        "data": data,
        "isTemplate": False,
        "count": 0,
        "lang": language,
        "updated": 0,
    }


def _agent(skill: Skill, languages: tuple[str, ...], webhook_url: str) -> dict[str, Any]:
    """The agent's settings; its texts and name are the default language's ``skill.yaml`` (``Skill.info``)."""
    info = skill.info(languages[0])
    description = info.description or info.summary or skill.summary()
    return {
        "description": description[:MAX_DESCRIPTION_CHARS],
        "language": languages[0],
        "supportedLanguages": list(languages[1:]),
        "shortDescription": (info.summary or "")[:MAX_DESCRIPTION_CHARS],
        "examples": "\n".join(info.examples),
        "linkToDocs": "",
        "displayName": info.name or skill.name,
        "disableInteractionLogs": False,
        "disableStackdriverLogs": True,
        "defaultTimezone": "Europe/Amsterdam",
        "isPrivate": True,
        "mlMinConfidence": 0.3,
        "enableOnePlatformResponses": True,
        "onePlatformApiVersion": "v2",
        "analyzeQueryTextSentiment": False,
        "enabledKnowledgeBaseNames": [],
        "knowledgeServiceConfidenceAdjustment": 0.0,
        "dialogBuilderMode": False,
        "baseActionPackagesUrl": "",
        "webhook": {
            "url": webhook_url,
            "username": "",
            "headers": {},
            "available": bool(webhook_url),
            "useForDomains": False,
            "cloudFunctionsEnabled": False,
            "cloudFunctionsInitialized": False,
        },
    }
