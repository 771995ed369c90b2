"""Alexa's interaction-model rules, as the export applies them and as ``check_interaction_model`` checks them.

The Alexa developer console refuses a model that breaks these rules; checking them here means
``voice export alexa`` never writes a package that ``ask deploy`` would reject for them:

- invocation name: lower-case letters, spaces, apostrophes and periods (abbreviations), two
  words or more, at most 50 characters, no wake word and no launch phrase;
- sample utterances: letters, spaces, apostrophes, periods, hyphens and underscores only (no
  digits), at most 200 characters, no duplicates in the model, every ``{slot}`` declared;
- ``AMAZON.SearchQuery`` slots only with a carrier phrase and no other slot in the utterance;
- every slot type built in or declared with values; the required built-in intents present;
- the dialog model names only intents, slots and prompts that exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..nlu import slot_types
from ..nlu.slot_types import ALEXA_ANY_WORDS

__all__ = [
    "MAX_UTTERANCE_CHARS",
    "REQUIRED_INTENTS",
    "SLOT_REFERENCE",
    "check_interaction_model",
    "clean_utterance",
    "invocation_name",
]

MAX_UTTERANCE_CHARS = 200
MAX_INVOCATION_CHARS = 50
SEARCH_QUERY = ALEXA_ANY_WORDS
SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
"""A ``{slot}`` reference in a sample or prompt; its group is the slot's name."""

REQUIRED_INTENTS = (
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
)
"""Alexa's required built-ins, plus those our dialog layer answers (yes, no, repeat, start over)."""

_FORBIDDEN_INVOCATION_WORDS = frozenset(
    {
        "alexa",
        "amazon",
        "echo",
        "computer",
        "skill",
        "app",
        "ask",
        "tell",
        "open",
        "launch",
        "start",
        "play",
        "run",
        "load",
        "begin",
        "use",
        "resume",
    }
)
_UTTERANCE = re.compile(r"[^\W\d]|[ '._-]|\{[A-Za-z][A-Za-z_]*\}")
_NAME = re.compile(r"[A-Za-z][A-Za-z_]*")
_UNSPOKEN = re.compile(r"[,;:!?\"()]")
_SPACES = re.compile(r"\s+")


def clean_utterance(text: str) -> str | None:
    """``text`` as an Alexa sample (unspoken punctuation dropped, lower case); None when Alexa refuses it."""
    pieces = SLOT_REFERENCE.split(text)  # literal, slot name, literal, ...
    joined = "".join(
        "{" + piece + "}" if index % 2 else _UNSPOKEN.sub(" ", piece).lower()
        for index, piece in enumerate(pieces)
    )
    cleaned = _SPACES.sub(" ", joined).strip()
    return cleaned if cleaned and not _utterance_problem(cleaned) else None


def invocation_name(text: str) -> str:
    """A valid invocation name from a skill name: ``customer_service`` -> ``customer service``. Alexa
    needs two words, so a one-word name gets "desk" (``gemeente`` -> ``gemeente desk``); the export
    warns, and ``invocation:`` in ``locales/<lang>/skill.yaml`` or ``--invocation-name`` chooses one."""
    words = [w for w in re.sub(r"[^a-z' .]", " ", text.lower().replace("_", " ")).split() if w]
    words = [w for w in words if w not in _FORBIDDEN_INVOCATION_WORDS] or ["voice"]
    if len(words) < 2:
        words.append("desk" if words[-1] != "desk" else "help")
    return " ".join(words)[:MAX_INVOCATION_CHARS].strip()


def check_interaction_model(model: Mapping[str, Any]) -> list[str]:
    """Every rule the model breaks, one sentence each; an empty list for a valid model."""
    language = model.get("interactionModel", {}).get("languageModel", {})
    problems = list(_invocation_problems(str(language.get("invocationName", ""))))
    types = {t.get("name"): t for t in language.get("types", [])}
    intents = {i.get("name"): i for i in language.get("intents", [])}
    problems += [f"type {name}: it has no values" for name, t in types.items() if not t.get("values")]
    problems += [f"built-in intent {name} is missing" for name in REQUIRED_INTENTS if name not in intents]
    known = {*types, SEARCH_QUERY, *(found.alexa for found in slot_types())}
    seen: dict[str, str] = {}
    for intent in intents.values():
        problems += _intent_problems(intent, known, seen)
    dialog = model.get("interactionModel", {}).get("dialog", {})
    prompts = {p.get("id"): p for p in model.get("interactionModel", {}).get("prompts", [])}
    for dialog_intent in dialog.get("intents", []):
        problems += _dialog_problems(dialog_intent, intents, prompts)
    return problems


def _invocation_problems(name: str) -> Iterator[str]:
    if not re.fullmatch(r"[a-z][a-z' .]*", name):
        yield f"invocation name {name!r}: only lower-case letters, spaces, apostrophes and periods"
    if len(name.split()) < 2:
        yield f"invocation name {name!r}: it needs two words or more"
    if len(name) > MAX_INVOCATION_CHARS:
        yield f"invocation name {name!r}: longer than {MAX_INVOCATION_CHARS} characters"
    banned = sorted(set(name.split()) & _FORBIDDEN_INVOCATION_WORDS)
    if banned:
        yield f"invocation name {name!r}: it contains the launch word or wake word {banned[0]!r}"


def _intent_problems(intent: Mapping[str, Any], known: set[Any], seen: dict[str, str]) -> list[str]:
    """The intent's problems; ``known`` holds the slot types it may use (declared and built in)."""
    name = str(intent.get("name"))
    problems = [] if name.startswith("AMAZON.") or _NAME.fullmatch(name) else [f"intent {name!r}: bad name"]
    slots = {slot.get("name"): slot.get("type") for slot in intent.get("slots", [])}
    for slot, kind in slots.items():
        if kind not in known:
            problems.append(f"intent {name}, slot {slot}: unknown slot type {kind!r}")
        if not _NAME.fullmatch(str(slot)):
            problems.append(f"intent {name}: bad slot name {slot!r}")
    for slot in intent.get("slots", []):
        for sample in slot.get("samples", []):
            where = f"intent {name}, slot {slot.get('name')} sample {sample!r}"
            problems += [f"{where}: {p}" for p in _sample_problems(sample, slots)]
    for sample in intent.get("samples", []):
        problems += [f"intent {name}, sample {sample!r}: {p}" for p in _sample_problems(sample, slots)]
        if sample in seen:
            problems.append(f"intent {name}, sample {sample!r}: also a sample of {seen[sample]}")
        seen[sample] = name
    return problems


def _sample_problems(sample: str, slots: Mapping[str, Any]) -> list[str]:
    refs = SLOT_REFERENCE.findall(sample)
    problems = [f"undeclared slot {{{ref}}}" for ref in refs if ref not in slots]
    if any(slots.get(ref) == SEARCH_QUERY for ref in refs):
        if len(refs) > 1:
            problems.append("an AMAZON.SearchQuery slot must be the only slot of its utterance")
        if not SLOT_REFERENCE.sub("", sample).strip():
            problems.append("an AMAZON.SearchQuery slot needs a carrier phrase")
    problem = _utterance_problem(sample)
    return problems + ([problem] if problem else [])


def _utterance_problem(sample: str) -> str | None:
    if len(sample) > MAX_UTTERANCE_CHARS:
        return f"longer than {MAX_UTTERANCE_CHARS} characters"
    rest = _UTTERANCE.sub("", sample)
    if rest:
        return f"characters Alexa does not allow: {rest!r}"
    return None


def _dialog_problems(
    dialog_intent: Mapping[str, Any], intents: Mapping[str, Any], prompts: Mapping[str, Any]
) -> list[str]:
    name = str(dialog_intent.get("name"))
    if name not in intents:
        return [f"dialog intent {name!r}: no such intent"]
    declared = {slot.get("name"): slot.get("type") for slot in intents[name].get("slots", [])}
    problems = _prompt_problems(f"dialog intent {name}", dialog_intent.get("prompts", {}), prompts, declared)
    for slot in dialog_intent.get("slots", []):
        where = f"dialog intent {name}, slot {slot.get('name')}"
        if declared.get(slot.get("name")) != slot.get("type"):
            problems.append(f"{where}: not a slot of the intent with type {slot.get('type')!r}")
        problems += _prompt_problems(where, slot.get("prompts", {}), prompts, declared)
        if slot.get("elicitationRequired") and "elicitation" not in slot.get("prompts", {}):
            problems.append(f"{where}: elicitation is required but there is no elicitation prompt")
    if dialog_intent.get("confirmationRequired") and "confirmation" not in dialog_intent.get("prompts", {}):
        problems.append(f"dialog intent {name}: confirmation is required but there is no prompt")
    return problems


def _prompt_problems(
    where: str, used: Mapping[str, str], prompts: Mapping[str, Any], slots: Mapping[str, Any]
) -> list[str]:
    problems = []
    for kind, prompt_id in used.items():
        prompt = prompts.get(prompt_id)
        variations: Sequence[Mapping[str, Any]] = prompt.get("variations", []) if prompt else []
        if not variations:
            problems.append(f"{where}: {kind} prompt {prompt_id!r} is missing or has no variations")
        for variation in variations:
            unknown = [ref for ref in SLOT_REFERENCE.findall(str(variation.get("value"))) if ref not in slots]
            problems += [f"{where}: prompt {prompt_id!r} names undeclared slot {{{ref}}}" for ref in unknown]
    return problems
