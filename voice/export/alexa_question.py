"""The ``Question`` intent of an Alexa export: free speech carried to the skill's content.

Alexa sends only what its interaction model resolves; a question that no sample matches becomes
``AMAZON.FallbackIntent`` without its words. A skill with content (``skills/<name>/knowledge/<lang>/``)
therefore gets one more intent, ``Question``, whose one slot ``query`` is an ``AMAZON.SearchQuery``:
Alexa passes the words after a carrier phrase ("I have a question about {query}") as they were
said, and the dialog reads them as a typed turn (``voice.dialog.knowledge.platform_question``), so
they go through the router and the knowledge base like the words of any other channel. Alexa
requires a carrier phrase around a SearchQuery slot; the carriers below are the ways callers
open a question, in the skill's language.
"""

from __future__ import annotations

from typing import Any

from ..dialog.knowledge import QUERY_SLOT, QUESTION_INTENT
from ..knowledge.content import content_folder, has_content
from ..skill import Skill
from .alexa_rules import SEARCH_QUERY

__all__ = ["CARRIER_PHRASES", "question_intent"]

CARRIER_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "i have a question about {query}",
        "i've got a question about {query}",
        "i have a question {query}",
        "a question about {query}",
        "question about {query}",
        "my question is {query}",
        "i would like to know {query}",
        "i'd like to know {query}",
        "i want to know {query}",
        "i was wondering {query}",
        "can you tell me {query}",
        "could you tell me {query}",
        "please tell me {query}",
        "i need to know {query}",
        "do you know {query}",
    ),
    "nl": (
        "ik heb een vraag over {query}",
        "ik heb een vraagje over {query}",
        "ik heb een vraag {query}",
        "een vraag over {query}",
        "vraag over {query}",
        "mijn vraag is {query}",
        "ik wil graag weten {query}",
        "ik zou graag willen weten {query}",
        "ik wil weten {query}",
        "ik vroeg me af {query}",
        "kunt u mij vertellen {query}",
        "kun je me vertellen {query}",
        "weet u {query}",
        "weet jij {query}",
        "ik moet weten {query}",
    ),
}
"""Per language: how a caller opens a question; ``{query}`` is what the knowledge base hears."""


def question_intent(skill: Skill, language: str, taken: set[str]) -> dict[str, Any] | None:
    """The ``Question`` intent for a skill with content in ``language``; None when it has none, when
    the language has no carrier phrases, or when the skill declares a ``Question`` intent itself.
    ``taken`` holds the model's samples so far; a carrier phrase another intent uses is left out."""
    carriers = CARRIER_PHRASES.get(language, ())
    own = language in skill.languages and QUESTION_INTENT in skill.intents(language).intents
    if own or not carriers or not has_content(content_folder(skill.root, language)):
        return None
    samples = [sample for sample in carriers if sample not in taken]
    taken.update(samples)
    return {
        "name": QUESTION_INTENT,
        "slots": [{"name": QUERY_SLOT, "type": SEARCH_QUERY, "samples": []}],
        "samples": samples,
    }
