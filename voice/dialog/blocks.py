"""Which template blocks of its intent a turn was said in: the follow-up rules and a block's context
slots apply by block, and a platform sends only the intent it matched.

The router's match names its template; a platform's intent names the intent context the export wrote it
for (``Turn.said_in``, the Dialogflow intent ``ShopHours - previous ShopHours``; empty for the intent
itself, or on Alexa, which has no contexts). The dialog asks this one question for both, so a follow-up
sent by Dialogflow keeps the earlier question's slots exactly where the router's would.
"""

from __future__ import annotations

from ..nlu import IntentData
from ..nlu.context import required_contexts
from ..skill import Skill
from ..turn import Turn

__all__ = ["said_blocks"]


def said_blocks(skill: Skill, turn: Turn) -> tuple[IntentData, ...]:
    """The blocks of ``turn``'s intent it can have been said in: those with the router's template, else
    those whose ``requires_context`` the platform's intent was exported for (the blocks without one for
    an intent matched in no context)."""
    intent = skill.intents(turn.language).intents.get(turn.intent or "")
    blocks = intent.data if intent is not None else ()
    template = turn.match.template if turn.match is not None else ""
    if template:
        return tuple(block for block in blocks if any(said.text == template for said in block.templates))
    return tuple(block for block in blocks if turn.said_in in required_contexts(block.requires_context))
