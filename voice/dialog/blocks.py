"""Which template blocks of its intent a turn was said in: the follow-up rules and a block's own slots
apply by block, and a platform sends only the intent it matched.

The router's match names its template; a platform's intent names the block the export wrote it for: its
intent context (``Turn.said_in``, the Dialogflow intent ``ShopHours - previous ShopHours``; empty for the
intent itself, and on Alexa, which has no contexts) and its fixed ``slots:`` (``Turn.said_with``,
``SpeakLanguage - with language_nl`` or Alexa's ``SpeakLanguage__language_nl``). The dialog asks this
one question for both, so a platform's turn gets a block's slots exactly where the router's match would.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..builtins import builtin_intents, builtin_languages
from ..nlu import IntentData, IntentSet, SlotValue
from ..nlu.context import copied_slots, required_contexts, requires_ok
from ..platform_contexts import fixed_tag
from ..skill import Skill
from ..state import DialogState
from ..turn import Turn

__all__ = ["intents_of", "platform_slots", "said_blocks", "shared_fixed"]


def intents_of(skill: Skill | None, language: str) -> IntentSet | None:
    """The templates a turn's intent comes from: the skill's, else the built-in intents' (SpeakLanguage);
    None in a language without built-in intents."""
    if skill is not None:
        return skill.intents(language)
    return builtin_intents(language) if language in builtin_languages() else None


def said_blocks(intents: IntentSet, turn: Turn) -> tuple[IntentData, ...]:
    """The blocks of ``turn``'s intent it can have been said in: those with the router's template, else
    those the platform's intent was exported for (``requires_context`` and fixed ``slots:``; the blocks
    with neither for the intent itself)."""
    intent = intents.intents.get(turn.intent or "")
    blocks = intent.data if intent is not None else ()
    template = turn.match.template if turn.match is not None else ""
    if template:
        return tuple(block for block in blocks if any(said.text == template for said in block.templates))
    return tuple(block for block in blocks if _exported_for(block, turn))


def _exported_for(block: IntentData, turn: Turn) -> bool:
    """Whether the platform's intent of ``turn`` is the one the export wrote for ``block``. Alexa, which
    has no contexts (``said_in`` None), gets one intent per fixed tag whatever the block's
    ``requires_context``; its plain intent holds only the blocks said anywhere (follow-ups start afresh)."""
    if fixed_tag(block.slots) != turn.said_with:
        return False
    if turn.said_in is None:
        return bool(turn.said_with) or not block.requires_context
    return turn.said_in in required_contexts(block.requires_context)


def shared_fixed(blocks: Sequence[IntentData]) -> dict[str, SlotValue]:
    """The fixed ``slots:`` values every one of ``blocks`` sets alike, as the matcher adds them (no words):
    where two blocks share a tag but not a value, neither is the platform's for sure."""
    if not blocks:
        return {}
    first, *others = blocks
    return {
        name: SlotValue(text="", value=value)
        for name, value in first.slots.items()
        if all(name in other.slots and other.slots[name] == value for other in others)
    }


def platform_slots(
    intents: IntentSet | None, turn: Turn, state: DialogState, slots: dict[str, SlotValue]
) -> dict[str, SlotValue]:
    """``slots`` of a platform's intent with those of the block it was matched in (``said_blocks``): its
    fixed ``slots:`` ("spreekt u nederlands": ``language: nl``) and those it copies from the context of
    the dialog's ``state`` (``{previous: {value: ShopHours, slot: true}}``). The platform sends only
    what the caller said; the router's match of the same words has them."""
    if intents is None or not (turn.said_in or turn.said_with):
        return slots
    context, blocks = state.context(), said_blocks(intents, turn)
    filled = {**shared_fixed(blocks), **slots}  # what the caller said wins, as in the matcher
    for block in blocks:
        if requires_ok(block.requires_context, context):
            filled = copied_slots(filled, block.requires_context, context, spoken=turn.slots)
    return filled
