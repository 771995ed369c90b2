"""What ``voice check`` finds in a skill's responses: keys its code and flows say that the language lacks,
built-in replies the framework has not, intents with nothing to answer them, and values a response reads
that nothing saying it gives (``{{ cake_nam }}``); and, a warning when the team has ``[handoff] hours``,
a skill's own ``no_person`` that never says when they are back (``unsaid_return``).

The code is read, not run (``voice.skill_source``): a use that cannot be followed is left unchecked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .builtins import builtin_responses
from .flow import Flow
from .responses import read_names, required_names
from .skill import Skill
from .skill_source import SaidCall, lines_of, module_file, returned_keys, returned_names, said_calls
from .suggestions import did_you_mean

if TYPE_CHECKING:
    from .analytics.team import Texts

__all__ = ["response_problems", "response_value_problems", "unsaid_return"]


def response_problems(skill: Skill) -> Iterator[str]:
    needed = _needed_responses(skill)
    for language in skill.languages:
        responses = skill.responses(language)
        file = skill.root / "locales" / language / "responses.yaml"
        spoken = set(skill.intents(language).intents)
        for key, need in needed.items():
            if key not in responses and (need.intents is None or need.intents & spoken):
                yield f"skill {skill.name!r}: {file} has no response {key!r} ({need.why}); add it."
        for key in skill.builtin_replies(language).templates:
            if key not in builtin_responses("en"):
                known = ", ".join(sorted(builtin_responses("en").templates))
                yield (
                    f"skill {skill.name!r}: {file} has builtin reply {key!r}, which the framework "
                    f"has not; fix the name (known: {known})."
                )
        for intent in skill.intents(language).intents:
            if intent not in skill.handlers and intent not in skill.flows and intent not in responses:
                yield (
                    f"skill {skill.name!r}: intent {intent!r} has no handler and {file} has no response "
                    f"{intent!r} to answer it with; add the response or an @skill.intent({intent!r}) handler."
                )


def response_value_problems(skill: Skill) -> Iterator[str]:
    """A response that reads a value that nothing saying it gives (``{{ cake_nam }}``): every turn that
    says it fails. Only responses whose every known use is understood are read (``voice.skill_source``);
    a value the template guards (``is defined``, ``default``) is its own business."""
    always = {"slots", "settings", "call", *skill.values}
    for language in skill.languages:
        texts = skill.responses(language).texts
        file = skill.root / "locales" / language / "responses.yaml"
        for key, given in _given_values(skill, language).items():
            if given is None:
                continue
            known = always | given
            for name in sorted(
                {name for text in texts.get(key, ()) for name in required_names(text)} - known
            ):
                yield (
                    f"skill {skill.name!r}: response {key!r} in {file} uses {{{{ {name} }}}}, which is "
                    "no slot of the intent that says it, no value the code passes or describes, and no "
                    f"skill value{did_you_mean(name, known)}, so every turn that says it fails; fix "
                    "the name, or pass the value."
                )


def unsaid_return(skill: Skill, say: Texts) -> Iterator[str]:
    """The skill's own ``no_person`` (``builtin:``) in a language that never reads ``back``: with the
    team's ``[handoff] hours`` set, a caller after hours is not told when they can reach a person (in
    the team's words ``say``)."""
    for language in skill.languages:
        replies = skill.builtin_replies(language)
        texts = replies.texts.get("no_person", ())
        if any("back" not in read_names(text) for text in texts):
            yield say("unsaid_return", skill=repr(skill.name), source=replies.source)


def _given_values(skill: Skill, language: str) -> dict[str, frozenset[str] | None]:
    """Response key -> the names every known use of it gives (its intent's slots, the values passed or
    described); None where a use cannot be followed (``**values``, a handler of a built-in intent).
    Keys of no known use (said from a helper, by the framework) are left out."""
    spoken = set(skill.intents(language).intents)
    declared = {name for other in skill.languages for name in skill.intents(other).intents}
    given: dict[str, frozenset[str] | None] = {}

    def give(key: str, names: frozenset[str] | None) -> None:
        earlier = given.get(key, frozenset())
        given[key] = None if earlier is None or names is None else earlier | names
        given[f"{key}_no_person"] = given[key]  # said with the same values (Skill.reply)

    def slots(intents: Iterable[str]) -> frozenset[str]:
        return frozenset(spec.name for intent in intents for spec in skill.slot_specs(intent, language))

    for flow in skill.flows.values():
        described = returned_names(flow.describe) if flow.describe else frozenset()
        for key, _ in _flow_keys(flow) if flow.intent in spoken else ():
            give(key, None if described is None else slots([flow.intent]) | described)
    for _, call, intents in _said_in_handler_modules(skill):
        if intents is None or not intents <= declared or call.names is None:
            give(call.key, None)  # outside the handlers, a built-in intent's handler, or **values
        else:
            give(call.key, slots(intents & spoken) | call.names)
    for intent in spoken - set(skill.handlers):
        give(intent, slots([intent]))
    return given


@dataclass(frozen=True, slots=True)
class _Need:
    """Why a response key is needed, and where."""

    why: str
    intents: frozenset[str] | None
    """Needed only in the languages that have one of these intents (a Dutch-only intent's replies need
    no English text); None: in every language."""


def _needed_responses(skill: Skill) -> dict[str, _Need]:
    """Response key -> what uses it: flow prompts and confirmations, validator answers, the code's keys
    (those said inside a handler belong to its intents; those in other functions to every language)."""
    needed: dict[str, _Need] = {}

    def need(key: str, why: str, intents: frozenset[str] | None) -> None:
        earlier = needed.get(key)
        if earlier is None:
            needed[key] = _Need(why, intents)
        elif earlier.intents is not None:
            merged = None if intents is None else earlier.intents | intents
            needed[key] = _Need(earlier.why, merged)

    for flow in skill.flows.values():
        for key, why in _flow_keys(flow):
            need(key, why, frozenset({flow.intent}))
    for path, call, intents in _said_in_handler_modules(skill):
        need(call.key, f"said in {Path(path).name} line {call.line}", intents)
    return needed


def _flow_keys(flow: Flow) -> Iterator[tuple[str, str]]:
    """(key, what it is) of every response a flow says: its questions, confirmations, validator answers."""
    if flow.confirm:
        yield flow.confirm, f"the confirmation of flow {flow.intent!r}"
    for slot in flow.slots:
        yield slot.prompt, f"the prompt of slot {slot.name!r} of flow {flow.intent!r}"
        if slot.confirm:
            yield slot.confirm, f"the confirmation of slot {slot.name!r}"
        if slot.confirm_unclear:
            yield slot.confirm_unclear, f"the check of slot {slot.name!r} heard badly"
        for key in returned_keys(slot.validate):
            yield key, f"an answer of the validator of slot {slot.name!r}"


def _said_in_handler_modules(skill: Skill) -> Iterator[tuple[str, SaidCall, frozenset[str] | None]]:
    """(module file, call, the intents of the handler it is in) of every response the modules of the
    skill's handlers say; intents None: outside every handler."""
    spans: dict[str, list[tuple[range, frozenset[str]]]] = {}  # module file -> handlers' lines, intents
    for function in set(skill.handlers.values()):
        path = module_file(function)
        handled = frozenset(intent for intent, other in skill.handlers.items() if other is function)
        if path:
            spans.setdefault(path, []).append((lines_of(function), handled))
    for path, handlers in spans.items():
        for call in said_calls(path):
            inside = [intents for lines, intents in handlers if call.line in lines]
            yield path, call, inside[0] if inside else None
