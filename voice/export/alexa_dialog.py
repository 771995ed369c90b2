"""The dialog model of an Alexa export: the skill's flows as required slots, confirmations and prompts.

Our dialog layer drives every conversation itself (``Dialog.ElicitSlot`` / ``ConfirmSlot`` /
``ConfirmIntent`` with our own speech), so the model says ``delegationStrategy:
SKILL_RESPONSE``; the prompts exist because Alexa requires them and speaks them only if a
request is delegated. They are the skill's own response templates with each slot value as
Alexa's ``{slot}`` reference; a slot spelled out (``{{ order_number | spell }}``, our ``<sub>`` whose
alias is what is said) becomes ``<say-as interpret-as="spell-out">{order_number}</say-as>``, as Alexa
spells a value it only knows when it speaks. A variant that needs any other value, or changes a slot's
value in a way Alexa cannot (``{{ order_number | upper }}``), is left out, and when no variant is left a
neutral sentence keeps the slot required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

from ..builtins import BUILTIN_LOCALES, builtin_reply_languages, builtin_responses
from ..flow import Flow
from ..flow import Slot as FlowSlot
from ..platform_contexts import fixed_of
from ..responses import Responses
from ..skill import Skill
from ..ssml import spelled_out
from .alexa_rules import SLOT_REFERENCE
from .common import SkillIntent

__all__ = ["dialog_model"]

_NEUTRAL = {
    "en": {"elicitation": "What is the {spoken}?", "confirmation": "Shall I go ahead?"},
    "nl": {"elicitation": "Wat is de {spoken}?", "confirmation": "Zal ik dat doen?"},
}


def dialog_model(
    skill: Skill,
    language: str,
    intents: tuple[SkillIntent, ...],
    slot_types: Mapping[str, Mapping[str, str]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``dialog`` section and the ``prompts`` it uses, for every flow whose intent is exported."""
    prompts: dict[str, list[dict[str, str]]] = {}
    renderer = _Prompts(skill.responses(language), _builtin_responses(language), language)
    dialog_intents = []
    for intent in intents:  # a flow's block with fixed slots is an intent of its own: the flow's too
        ours = fixed_of(intent.name)[0]
        flow = skill.flows.get(ours)
        if flow is not None:
            dialog_intents.append(_dialog_intent(flow, intent.name, slot_types[ours], renderer, prompts))
    dialog = {"delegationStrategy": "SKILL_RESPONSE", "intents": dialog_intents}
    return dialog, [{"id": pid, "variations": variations} for pid, variations in prompts.items()]


def _dialog_intent(
    flow: Flow,
    name: str,
    slot_types: Mapping[str, str],
    renderer: _Prompts,
    prompts: dict[str, list[dict[str, str]]],
) -> dict[str, Any]:
    asked = [slot.name for slot in flow.slots if slot.name in slot_types]  # Alexa asks in this order
    ordered = asked + [name for name in slot_types if name not in asked]
    slots = [_dialog_slot(flow, name, slot_types, renderer, prompts) for name in ordered]
    entry: dict[str, Any] = {
        "name": name,
        "confirmationRequired": flow.confirm is not None,
        "prompts": {},
        "slots": slots,
    }
    if flow.confirm is not None:
        prompt_id = f"Confirm.Intent.{flow.intent}"
        prompts[prompt_id] = renderer.variations(flow.confirm, slot_types, "confirmation", "")
        entry["prompts"]["confirmation"] = prompt_id
    return entry


def _dialog_slot(
    flow: Flow,
    name: str,
    slot_types: Mapping[str, str],
    renderer: _Prompts,
    prompts: dict[str, list[dict[str, str]]],
) -> dict[str, Any]:
    """One slot of a dialog intent: required and confirmed as the flow says."""
    wanted: FlowSlot | None = flow.slot(name)
    entry: dict[str, Any] = {
        "name": name,
        "type": slot_types[name],
        "elicitationRequired": wanted is not None,
        "confirmationRequired": bool(wanted and wanted.confirm),
        "prompts": {},
    }
    if wanted is not None:
        prompt_id = f"Elicit.Slot.{flow.intent}.{name}"
        prompts[prompt_id] = renderer.variations(wanted.prompt, slot_types, "elicitation", name)
        entry["prompts"]["elicitation"] = prompt_id
    if wanted is not None and wanted.confirm:
        prompt_id = f"Confirm.Slot.{flow.intent}.{name}"
        prompts[prompt_id] = renderer.slot_confirmation(wanted.confirm, slot_types, name)
        entry["prompts"]["confirmation"] = prompt_id
    return entry


def _builtin_responses(language: str) -> Responses:
    """The framework's own replies, for its neutral slot confirmation; none in a language it lacks."""
    if language in builtin_reply_languages():
        return builtin_responses(language)
    return Responses.from_dict({}, source=str(BUILTIN_LOCALES / language / "responses.yaml"))


class _Prompts:
    """Renders response templates into Alexa prompt variations, slot values as ``{slot}``."""

    def __init__(self, responses: Responses, builtins: Responses, language: str) -> None:
        self.responses, self.builtins = responses, builtins
        self.neutral = _NEUTRAL.get(language, _NEUTRAL["en"])

    def variations(self, key: str, slots: Mapping[str, str], kind: str, slot: str) -> list[dict[str, str]]:
        """Every variant of ``key`` that renders with slot references only; else the neutral sentence."""
        found = _rendered(self.responses, key, slots)
        if found:
            return found
        return [{"type": "PlainText", "value": self.neutral[kind].format(spoken=slot.replace("_", " "))}]

    def slot_confirmation(self, key: str, slots: Mapping[str, str], slot: str) -> list[dict[str, str]]:
        """The skill's confirmation question, else the framework's "Did you say {slot}?"."""
        found = _rendered(self.responses, key, slots)
        return found or _rendered(self.builtins, "confirm_slot", slots, {"value": slot})


def _rendered(
    responses: Responses, key: str, slots: Mapping[str, str], names: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The variants of ``key`` with each value (``names``: the template's name -> the slot, else the
    slots' own names) as its slot's reference; those that need or change another value are left out."""
    names = names or {name: name for name in slots}
    variations = []
    for template in responses.templates.get(key, ()):
        try:
            text = " ".join(template.render({name: f"{{{slot}}}" for name, slot in names.items()}).split())
        except jinja2.UndefinedError:
            continue  # needs a value that is not a slot (a description computed at runtime)
        text = _spelled_slots(text, slots)
        if any(reference not in slots for reference in SLOT_REFERENCE.findall(text)):
            continue  # a slot's value changed by the template ("{ORDER_NUMBER}"): Alexa cannot say it
        kind = "SSML" if text.startswith("<speak") else "PlainText"
        variations.append({"type": kind, "value": text})
    return variations


def _spelled_slots(text: str, slots: Mapping[str, str]) -> str:
    """``text`` with each slot the template spells out (``| spell``) spelled by Alexa: our ``<sub>`` says
    the characters of the reference ("{ o r d e r _ n u m b e r }"), Alexa's ``say-as`` those of the value."""
    for name in slots:
        text = text.replace(
            spelled_out(f"{{{name}}}"), f'<say-as interpret-as="spell-out">{{{name}}}</say-as>'
        )
    return text
