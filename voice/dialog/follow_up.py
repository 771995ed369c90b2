"""A follow-up keeps what the question it follows said: "en op zondag?" after "wat zijn de openingstijden
in Den Bosch" asks for Den Bosch's hours on Sunday, not "which shop?".

A follow-up is a sentence of a template block that requires the previous intent (``requires_context:
{previous: OpeningHours}``); its turn gets the slots of that previous turn it does not say again itself.
A question asked anew ("wat zijn de openingstijden?") starts afresh. The router's match and a platform's
intent matched in that context (Dialogflow's ``ShopHours - previous ShopHours``) are one case
(``said_blocks``); Alexa has no contexts, so its follow-up sentences are samples of the intent itself and
start afresh (docs/exports.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..nlu import SlotValue
from ..nlu.context import requires_ok
from ..skill import Skill
from ..turn import Turn
from .blocks import said_blocks

__all__ = ["with_previous_slots"]


def with_previous_slots(
    turn: Turn, skill: Skill, previous_intent: str | None, previous: Mapping[str, SlotValue]
) -> Turn:
    """``turn`` with the slots of the turn it follows up that it leaves out; itself when it is no
    follow-up of that intent."""
    if turn.match is None or turn.intent != previous_intent or not _follows_up(skill, turn):
        return turn
    kept = {name: value for name, value in previous.items() if name not in turn.slots}
    return replace(turn, slots={**kept, **turn.slots}) if kept else turn


def _follows_up(skill: Skill, turn: Turn) -> bool:
    """Whether the turn was said in one of the intent's blocks said only after that intent (the router's
    template, or the context of the platform's intent: ``said_blocks``)."""
    blocks = said_blocks(skill.intents(turn.language), turn)
    return any(_after(block.requires_context, turn.intent) for block in blocks)


def _after(required: Mapping[str, Any], intent: str | None) -> bool:
    """Whether a block's ``requires_context`` has a ``previous:`` that ``intent`` meets, in any form the
    matcher reads (one intent, a list, ``{value: ...}``)."""
    return "previous" in required and requires_ok({"previous": required["previous"]}, {"previous": intent})
